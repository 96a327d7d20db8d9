package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.shapes.Attribute;
import dev.tailorpo.eval.gen.ImageGenerator;
import dev.tailorpo.eval.gen.ImageKey;
import dev.tailorpo.eval.gen.LoraWeights;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.plugins.RewardModels;
import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.rewards.shapes.ShapesAlignment;
import dev.tailorpo.trainers.analysis.GuidanceCheck;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code tailor analyze guidance}: the paper's Table 1 sanity check of reward guidance. */
final class AnalyzeCommand implements Command {
    private static final List<Integer> PAPER_STEPS = List.of(0, 4, 8, 12, 16);

    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "Run an analysis on a model: guidance (Table 1) or recognition";
    }

    @Override
    public String arguments() {
        return "guidance|recognition";
    }

    @Override
    public String description() {
        return "tailor analyze guidance: for --n noisy samples at each of --check-steps (step indices; 0, 4, 8, 12, 16 are the "
                + "paper's t = 20, 16, 12, 8, 4 of 20), the fraction whose step-wise reward rises under "
                + "x+ = x + 2 eta delta grad r(x) and falls under x- = x - 2 eta delta grad r(x) (paper: --guidance-eta "
                + "0.2, --delta 0.5). Samples come from the model (with --lora, the fine-tuned one) on the prompts, from "
                + "noise seeded by --seed. tailor analyze recognition: generates --n images per prompt (the noise of "
                + "tailor generate) and reports how often the shapes-alignment classifier finds each prompted attribute "
                + "(shape, colour, background, size), shape and colour together, and all four.";
    }

    @Override
    public Options options() {
        return SamplingOptions.addTo(new Options())
                .addOption(Option.builder().longOpt("lora").hasArg().argName("PATH")
                        .desc("LoRA weights: a .safetensors file, a run folder or a checkpoint folder").build())
                .addOption(Option.builder().longOpt("reward").hasArg().argName("ID")
                        .desc("the differentiable reward (default: shapes-aesthetic)").build())
                .addOption(Option.builder().longOpt("prompts").hasArg().argName("FILE")
                        .desc("the prompt file (default: data/prompts/shapes_train.txt)").build())
                .addOption(Option.builder().longOpt("check-steps").hasArg().argName("LIST")
                        .desc("step indices to check (default: 0,4,8,12,16)").build())
                .addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("guidance: samples per step (default: 100); recognition: images per prompt (default: 4)").build())
                .addOption(Option.builder().longOpt("guidance-eta").hasArg().argName("X")
                        .desc("the guidance step size eta_t (default: 0.2)").build())
                .addOption(Option.builder().longOpt("delta").hasArg().argName("X")
                        .desc("the target reward increase (default: 0.5)").build())
                .addOption(Option.builder().longOpt("eps-constant")
                        .desc("treat the noise prediction as a constant in the gradient").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        List<String> args = line.getArgList();
        if (args.size() != 1 || !List.of("guidance", "recognition").contains(args.get(0))) {
            throw new UsageException("tailor analyze takes one analysis: guidance or recognition");
        }
        if (args.get(0).equals("guidance")) {
            guidance(line, context);
        } else {
            recognition(line, context);
        }
        return ExitCodes.OK;
    }

    private static void guidance(CommandLine line, CliContext context) {
        Path home = CliContext.home();
        TrainConfig defaults = TrainConfig.defaults();
        List<String> prompts = prompts(line, defaults);
        List<Integer> steps = OptionValues.intList(line, "check-steps", PAPER_STEPS);
        int n = OptionValues.positive(line, "n", 100);
        GuidanceCheck check = new GuidanceCheck(OptionValues.doubleValue(line, "guidance-eta", 0.2),
                OptionValues.doubleValue(line, "delta", 0.5), line.hasOption("eps-constant"));
        long seed = SamplingOptions.seed(line);
        SamplingSettings sampling = SamplingOptions.settings(line);
        Path lora = line.hasOption("lora") ? LoraWeights.resolve(Path.of(line.getOptionValue("lora"))) : null;
        List<GuidanceCheck.StepResult> results;
        try (NDManager manager = NDManager.newBaseManager(context.device());
             RewardModel reward = RewardModels.open(context.plugins(), line.getOptionValue("reward", defaults.reward().id()),
                     Map.of(), home, context.device())) {
            GuidedPolicy policy = lora == null
                    ? GuidedPolicy.load(SamplingOptions.model(line), sampling, defaults.lora().toConfig(), seed, manager)
                    : fineTuned(SamplingOptions.model(line), sampling, lora, manager);
            results = check.run(policy, new PolicyStepwiseReward(policy, reward), prompts, steps, n,
                    SamplingOptions.batch(line), seed, manager);
        }
        TextTable table = new TextTable("step index", "t (of " + sampling.steps() + ")", "timestep", "n",
                "rises under x+", "falls under x-");
        for (GuidanceCheck.StepResult r : results) {
            table.row(Integer.toString(r.stepIndex()), Integer.toString(sampling.steps() - r.stepIndex()),
                    Integer.toString(r.timestep()), Integer.toString(r.samples()),
                    String.format(Locale.ROOT, "%.2f", r.riseFraction()), String.format(Locale.ROOT, "%.2f", r.fallFraction()));
        }
        table.print(context.out());
    }

    /** The policy of a snapshot with the trained adapters of {@code loraFile}. */
    private static GuidedPolicy fineTuned(Path snapshot, SamplingSettings sampling, Path loraFile, NDManager manager) {
        DiffusionModel model = DiffusionModel.load(snapshot, manager);
        return GuidedPolicy.ddim(model, sampling, LoraWeights.attach(model, loraFile, manager));
    }

    /**
     * How often the shapes-alignment classifier recognises each prompted attribute in the model's
     * images ({@code --n} per prompt, the noise of {@code tailor generate}).
     */
    private static void recognition(CommandLine line, CliContext context) {
        Path home = CliContext.home();
        List<String> prompts = prompts(line, TrainConfig.defaults());
        int n = OptionValues.positive(line, "n", 4);
        int[] right = new int[Attribute.values().length];
        int[] shapeAndColour = new int[1];
        int[] all = new int[1];
        List<ImageKey> keys = ImageGenerator.keys(prompts, n);
        try (NDManager manager = NDManager.newBaseManager(context.device());
             RewardModel reward = RewardModels.open(context.plugins(), ShapesAlignment.ID, Map.of(), home, context.device())) {
            if (!(reward instanceof ShapesAlignment classifier)) {
                throw new UsageException("reward '" + ShapesAlignment.ID + "' is provided by " + reward.getClass().getName()
                        + ", not the built-in classifier");
            }
            DiffusionModel model = DiffusionModel.load(SamplingOptions.model(line), manager);
            if (line.hasOption("lora")) {
                LoraWeights.attach(model, LoraWeights.resolve(Path.of(line.getOptionValue("lora"))), manager);
            }
            new ImageGenerator(model, SamplingOptions.settings(line), SamplingOptions.seed(line))
                    .generate(keys, SamplingOptions.batch(line), manager, (batch, images) -> {
                        boolean[][] seen = classifier.recognised(images, batch.stream().map(ImageKey::prompt).toList());
                        for (boolean[] row : seen) {
                            for (int k = 0; k < row.length; k++) {
                                right[k] += row[k] ? 1 : 0;
                            }
                            shapeAndColour[0] += row[Attribute.SHAPE.ordinal()] && row[Attribute.COLOUR.ordinal()] ? 1 : 0;
                            all[0] += row[0] && row[1] && row[2] && row[3] ? 1 : 0;
                        }
                    });
        }
        int total = keys.size();
        TextTable table = new TextTable("recognised", "images", "fraction");
        for (Attribute a : Attribute.values()) {
            table.row(a.name().toLowerCase(Locale.ROOT), right[a.ordinal()] + "/" + total, fraction(right[a.ordinal()], total));
        }
        table.row("shape and colour", shapeAndColour[0] + "/" + total, fraction(shapeAndColour[0], total));
        table.row("all four", all[0] + "/" + total, fraction(all[0], total));
        table.print(context.out());
    }

    private static String fraction(int k, int n) {
        return String.format(Locale.ROOT, "%.3f", (double) k / n);
    }

    private static List<String> prompts(CommandLine line, TrainConfig defaults) {
        return PromptFile.read(CliContext.home().resolve(line.getOptionValue("prompts", defaults.prompts()))).prompts();
    }
}
