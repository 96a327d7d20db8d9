package dev.tailorpo.eval.cli;

import dev.tailorpo.diffusion.shapes.pretrain.PretrainConfig;
import dev.tailorpo.diffusion.shapes.pretrain.ShapesPretraining;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.Locale;

/** {@code tailor pretrain}: trains the shapes world's base model from scratch (resumable). */
final class PretrainCommand implements Command {

    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String summary() {
        return "Train the shapes world's base text-to-image model from scratch";
    }

    @Override
    public String description() {
        return "Train the shapes world's pixel-space UNet and its small CLIP text encoder on rendered images "
                + "(DDPM noise-prediction loss, prompt dropout for classifier-free guidance, EMA of the weights) "
                + "and write them as a diffusers snapshot into --out. Checkpoints go to a hidden folder in --out; "
                + "running the same command again resumes from the last one. Settings (YAML keys of "
                + "PretrainConfig: steps, batch_size, lr, warmup_steps, weight_decay, ema_decay, prompt_dropout, "
                + "grad_clip, seed, data_seed, checkpoint_every, log_every) come from --config and -D.";
    }

    @Override
    public Options options() {
        Options o = ConfigOptions.addTo(new Options());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("the snapshot folder to write (default: models/shapes-base)").build());
        return o;
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        PretrainConfig config = ConfigOptions.load(PretrainConfig.class, line);
        Path out = Path.of(line.getOptionValue("out", "models/shapes-base"));
        ShapesPretraining training = new ShapesPretraining(out, config, context.device());
        try (Progress progress = Progress.start("pretrain", config.steps(), 0, context.err(), config.logEvery())) {
            training.run(new ShapesPretraining.Listener() {
                @Override
                public void onStep(int step, int total, double loss, double lr) {
                    progress.update(step, String.format(Locale.ROOT, "loss %.4f lr %.2e", loss, lr));
                }

                @Override
                public void onCheckpoint(int step, Path dir) {
                    progress.note("checkpoint at step " + step + ": " + dir);
                }

                @Override
                public void onResume(int step) {
                    progress.note("resuming from step " + step);
                }
            });
        }
        context.out().println("wrote " + out.toAbsolutePath());
        return ExitCodes.OK;
    }
}
