package dev.tailorpo.eval.cli;

import dev.tailorpo.api.TailorException;
import dev.tailorpo.rewards.shapes.CriticKind;
import dev.tailorpo.rewards.shapes.CriticTrainingSettings;
import dev.tailorpo.rewards.shapes.ShapesRewardTraining;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code tailor train-reward}: trains the shapes world's aesthetic or alignment critic. */
final class TrainRewardCommand implements Command {

    @Override
    public String name() {
        return "train-reward";
    }

    @Override
    public String summary() {
        return "Train the shapes world's aesthetic or alignment reward model";
    }

    @Override
    public String description() {
        CriticTrainingSettings a = CriticTrainingSettings.defaults(CriticKind.AESTHETIC);
        CriticTrainingSettings b = CriticTrainingSettings.defaults(CriticKind.ALIGNMENT);
        return "Train the critic behind shapes-aesthetic (regression of the quality rating, MSE) or "
                + "shapes-alignment (classifier of shape, colour, background and size, cross-entropy) from scratch "
                + "on renders of ShapesDataset(--seed) made on the fly, with AdamW, a linear warm-up and a cosine "
                + "decay; then evaluate it on --eval-samples renders of the held-out dataset seed "
                + CriticTrainingSettings.DEFAULT_EVAL_SEED + " and write the model folder (config.json with the "
                + "architecture, the training settings and the metrics; model.safetensors). Progress goes to "
                + "stderr, the held-out metrics to stdout.\n\n"
                + "Defaults: aesthetic " + a.steps() + " steps of batch " + a.batch() + ", alignment " + b.steps()
                + " steps of batch " + b.batch() + "; seed 0. On a busy 2-core machine PyTorch often runs faster "
                + "with one intra-op thread: JAVA_OPTS=-Dai.djl.pytorch.num_threads=1.";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("kind").hasArg().argName("KIND")
                        .desc("aesthetic or alignment (required)").build())
                .addOption(Option.builder().longOpt("steps").hasArg().argName("N")
                        .desc("Optimizer steps (default: per kind, see above)").build())
                .addOption(Option.builder().longOpt("batch").hasArg().argName("B")
                        .desc("Renders per step (default: per kind)").build())
                .addOption(Option.builder().longOpt("seed").hasArg().argName("SEED")
                        .desc("Seeds the initialisation, the training renders and the augmentation (default 0)").build())
                .addOption(Option.builder().longOpt("lr").hasArg().argName("LR")
                        .desc("Peak learning rate (default " + CriticTrainingSettings.defaults(CriticKind.AESTHETIC).lr()
                                + ")").build())
                .addOption(Option.builder().longOpt("eval-samples").hasArg().argName("N")
                        .desc("Held-out renders for the final evaluation (default 4000)").build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                        .desc("The model folder to write (default: models/shapes-<kind> in the TailorPO-J folder)")
                        .build())
                .addOption(Option.builder().longOpt("force")
                        .desc("Replace the model folder if it exists").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        String kindWord = line.getOptionValue("kind");
        if (kindWord == null) {
            throw new UsageException("--kind is required: aesthetic or alignment");
        }
        CriticKind kind;
        try {
            kind = CriticKind.parse(kindWord.toLowerCase(Locale.ROOT));
        } catch (TailorException e) {
            throw new UsageException("--kind: " + e.getMessage());
        }
        CriticTrainingSettings s = CriticTrainingSettings.defaults(kind);
        try {
            s = s.withSteps(OptionValues.positive(line, "steps", s.steps()))
                    .withBatch(OptionValues.positive(line, "batch", s.batch()))
                    .withSeed(OptionValues.longValue(line, "seed", s.seed()))
                    .withLr(OptionValues.doubleValue(line, "lr", s.lr()))
                    .withEvalSamples(OptionValues.positive(line, "eval-samples", s.evalSamples()));
        } catch (dev.tailorpo.api.ConfigException e) {
            throw new UsageException(e.getMessage());
        }
        Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out")).toAbsolutePath().normalize()
                : CliContext.home().resolve("models").resolve(kind.rewardId());
        boolean force = line.hasOption("force");
        if (Files.exists(out) && !force) {
            throw new UsageException("model folder " + CliContext.display(out)
                    + " already exists; pass --force to replace it");
        }
        ShapesRewardTraining.Result r = ShapesRewardTraining.run(s, out, force, context.device(), context.err());
        context.out().printf(Locale.ROOT, "%s critic (%,d parameters) trained in %.0f s; held-out metrics on %d renders "
                + "of ShapesDataset(%d):%n", kind.word(), r.parameters(), r.trainSeconds(), s.evalSamples(), s.evalSeed());
        r.metrics().forEach((k, v) -> context.out().printf(Locale.ROOT, "  %-34s %.4f%n", k, v));
        context.out().println("model: " + CliContext.display(out));
        return ExitCodes.OK;
    }
}
