package dev.tailorpo.eval.cli;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sampling options {@code tailor generate} and {@code tailor eval} share: the model, the noise
 * seed, DDIM steps and eta, the guidance scale and the batch size, with the shapes world's
 * defaults.
 *
 * <p>Defaults: the TailorPO paper's sampling setting, which the shapes training config uses too
 * ({@code configs/shapes-train.yaml}), so that a policy is evaluated as it was trained:
 * {@value #DEFAULT_STEPS} DDIM steps with eta {@value #DEFAULT_ETA} (ALGORITHMS.md) and
 * classifier-free guidance {@value #DEFAULT_GUIDANCE}. The shapes base model's rewards keep rising
 * up to w = 10 (docs/EVALUATION.md has the measurement); w = 5 leaves it room to improve.
 */
final class SamplingOptions {
    private SamplingOptions() {}

    static final String MODEL = "model";
    static final String SEED = "seed";
    static final String STEPS = "steps";
    static final String ETA = "eta";
    static final String GUIDANCE = "guidance";
    static final String BATCH = "batch";

    /** The default model folder, under the TailorPO-J folder. */
    static final String DEFAULT_MODEL = "models/shapes-base";
    static final int DEFAULT_STEPS = 20;
    static final double DEFAULT_ETA = 1.0;
    static final double DEFAULT_GUIDANCE = 5.0;
    static final long DEFAULT_SEED = 0;
    static final int DEFAULT_BATCH = 32;

    static Options addTo(Options o) {
        return o
                .addOption(Option.builder().longOpt(MODEL).hasArg().argName("DIR")
                        .desc("The diffusers snapshot folder of the base model (default: " + DEFAULT_MODEL
                                + " in the TailorPO-J folder)").build())
                .addOption(Option.builder().longOpt(SEED).hasArg().argName("SEED")
                        .desc("The noise seed (default " + DEFAULT_SEED + "); image j of a prompt always starts from "
                                + "the same noise under the same seed").build())
                .addOption(Option.builder().longOpt(GUIDANCE).hasArg().argName("W")
                        .desc("Classifier-free guidance scale; 1 turns guidance off (default "
                                + fmt(DEFAULT_GUIDANCE) + ")").build())
                .addOption(Option.builder().longOpt(STEPS).hasArg().argName("T")
                        .desc("DDIM steps (default " + DEFAULT_STEPS + ")").build())
                .addOption(Option.builder().longOpt(ETA).hasArg().argName("ETA")
                        .desc("DDIM eta: 0 deterministic, 1 DDPM-like (default " + fmt(DEFAULT_ETA) + ")").build())
                .addOption(Option.builder().longOpt(BATCH).hasArg().argName("B")
                        .desc("Images per UNet batch (default " + DEFAULT_BATCH + "; twice as many rows with "
                                + "guidance); each image's noise does not depend on it").build());
    }

    static SamplingSettings settings(CommandLine line) {
        int steps = OptionValues.positive(line, STEPS, DEFAULT_STEPS);
        double eta = OptionValues.doubleValue(line, ETA, DEFAULT_ETA);
        double guidance = OptionValues.doubleValue(line, GUIDANCE, DEFAULT_GUIDANCE);
        try {
            return new SamplingSettings(steps, eta, guidance);
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static long seed(CommandLine line) {
        return OptionValues.longValue(line, SEED, DEFAULT_SEED);
    }

    static int batch(CommandLine line) {
        return OptionValues.positive(line, BATCH, DEFAULT_BATCH);
    }

    /** {@code --model}, or the default under the TailorPO-J folder; must hold {@code model_index.json}. */
    static Path model(CommandLine line) {
        Path dir = line.hasOption(MODEL) ? Path.of(line.getOptionValue(MODEL)).toAbsolutePath().normalize()
                : CliContext.home().resolve(DEFAULT_MODEL);
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new ConfigException("model folder " + CliContext.display(dir) + (Files.isDirectory(dir)
                    ? " has no model_index.json (not a diffusers snapshot)" : " does not exist")
                    + (line.hasOption(MODEL) ? "" : "; train it with 'tailor pretrain' or pass --model DIR"));
        }
        if (!line.hasOption(MODEL) && !Files.isRegularFile(dir.resolve("unet").resolve("diffusion_pytorch_model.safetensors"))) {
            throw new ConfigException("the default model " + CliContext.display(dir) + " has no trained weights yet "
                    + "(unet/diffusion_pytorch_model.safetensors): train it with 'tailor pretrain' or pass --model DIR");
        }
        return dir;
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) + ".0" : Double.toString(v);
    }
}
