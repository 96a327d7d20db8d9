package dev.tailorpo.diffusion.shapes.pretrain;

import dev.tailorpo.api.ConfigException;

/**
 * Settings of the shapes world's base-model pretraining.
 *
 * @param steps optimizer steps
 * @param batchSize images per step
 * @param lr peak learning rate (AdamW)
 * @param warmupSteps linear warm-up from 0 to {@code lr}; cosine decay to 10% of it afterwards
 * @param weightDecay AdamW's decoupled weight decay
 * @param emaDecay decay of the exponential moving average of the weights (the saved model)
 * @param promptDropout probability of replacing a prompt by the empty prompt (classifier-free
 *     guidance learns the unconditional model from these)
 * @param gradClip global gradient-norm clip
 * @param seed initialisation and noise seed
 * @param dataSeed the rendered data set's seed
 * @param checkpointEvery steps between checkpoints (resume points)
 * @param logEvery steps between progress lines
 */
public record PretrainConfig(int steps, int batchSize, double lr, int warmupSteps, double weightDecay, double emaDecay,
                             double promptDropout, double gradClip, long seed, long dataSeed, int checkpointEvery,
                             int logEvery) {
    public PretrainConfig {
        if (steps < 1 || batchSize < 1 || warmupSteps < 0 || checkpointEvery < 1 || logEvery < 1) {
            throw new ConfigException("pretrain: steps, batch_size, checkpoint_every and log_every must be >= 1, warmup_steps >= 0");
        }
        if (!(lr > 0) || !(emaDecay >= 0 && emaDecay < 1) || !(promptDropout >= 0 && promptDropout < 1)) {
            throw new ConfigException("pretrain: lr must be > 0, ema_decay and prompt_dropout in [0, 1)");
        }
    }

    /**
     * The settings of the committed model (docs/SHAPES.md, "Base model"): 3,000 steps of 64 images,
     * about 1.6 hours on 2 cores, exporting an EMA of decay 0.995 (about the last 200 steps: the
     * model still improves quickly, and an average over older weights follows the prompt less). The
     * committed run got there in stages: a 2,400-step cosine until step 1,000, an 1,800-step one until
     * 1,800 with decay 0.999, then these settings.
     */
    public static PretrainConfig defaults() {
        return new PretrainConfig(3_000, 64, 1e-3, 200, 1e-2, 0.995, 0.1, 1.0, 0, 1, 200, 50);
    }

    /** The learning rate at {@code step} (0-based): linear warm-up, then cosine to 10%. */
    public double lrAt(int step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }
}
