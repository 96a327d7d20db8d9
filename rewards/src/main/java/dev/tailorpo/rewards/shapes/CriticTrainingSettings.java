package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.ConfigException;

import java.util.List;

/**
 * How {@link ShapesRewardTraining} trains a critic.
 *
 * @param kind which critic
 * @param steps optimizer updates
 * @param batch renders per update
 * @param seed seeds the network's initialisation, the training data ({@code ShapesDataset(seed)})
 *     and the augmentation
 * @param evalSeed the dataset seed of the held-out renders; must differ from {@code seed}
 * @param evalSamples held-out renders for the final evaluation
 * @param lr peak AdamW learning rate (betas 0.9, 0.999, eps 1e-8, weight decay 1e-4)
 * @param warmupSteps linear warm-up from 0 to {@code lr}; a half-cosine decay to 0 follows
 * @param clipNorm the global gradient norm is clipped to this
 * @param channels the critic's conv stages
 * @param groups GroupNorm groups
 * @param renderThreads threads rendering the next batch while the current one trains
 * @param logEvery steps between progress lines
 */
public record CriticTrainingSettings(CriticKind kind, int steps, int batch, long seed, long evalSeed, int evalSamples,
                                     double lr, int warmupSteps, double clipNorm, List<Integer> channels, int groups,
                                     int renderThreads, int logEvery) {

    /** The dataset seed of the held-out renders unless one is given. */
    public static final long DEFAULT_EVAL_SEED = 1_000_003;

    /**
     * Five stages, 32x32 down to 2x2: the last one sees the whole image, which the shape classifier
     * needs (with four stages, 8x8 at the end, shape accuracy was 72% against 92% after 1,000 steps).
     */
    public static final List<Integer> CHANNELS = List.of(32, 64, 128, 128, 128);

    public CriticTrainingSettings {
        channels = List.copyOf(channels);
        require(kind != null, "kind is required");
        require(steps > 0, "steps must be > 0, got " + steps);
        require(batch > 0, "batch must be > 0, got " + batch);
        require(evalSeed != seed, "the evaluation seed must differ from the training seed " + seed
                + ", or the held-out renders would be training renders");
        require(evalSamples > 1, "eval samples must be > 1, got " + evalSamples);
        require(lr > 0, "lr must be > 0, got " + lr);
        require(warmupSteps >= 0 && warmupSteps < steps, "warmup steps must be in [0, steps), got " + warmupSteps);
        require(clipNorm > 0, "clip norm must be > 0, got " + clipNorm);
        require(renderThreads > 0, "render threads must be > 0, got " + renderThreads);
        require(logEvery > 0, "log interval must be > 0, got " + logEvery);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }

    /** The settings the committed models were trained with (see docs/SHAPES.md). */
    public static CriticTrainingSettings defaults(CriticKind kind) {
        return switch (kind) {
            case AESTHETIC -> new CriticTrainingSettings(kind, 3000, 64, 0, DEFAULT_EVAL_SEED, 4000, 2e-3, 200, 1.0,
                    CHANNELS, 8, 1, 250);
            case ALIGNMENT -> new CriticTrainingSettings(kind, 4000, 64, 0, DEFAULT_EVAL_SEED, 4000, 2e-3, 200, 1.0,
                    CHANNELS, 8, 1, 250);
        };
    }

    /** The critic's architecture. */
    public CriticConfig criticConfig() {
        return new CriticConfig(32, channels, groups, kind.outputs());
    }

    public CriticTrainingSettings withSteps(int value) {
        return new CriticTrainingSettings(kind, value, batch, seed, evalSeed, evalSamples, lr,
                Math.min(warmupSteps, value / 10), clipNorm, channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withBatch(int value) {
        return new CriticTrainingSettings(kind, steps, value, seed, evalSeed, evalSamples, lr, warmupSteps, clipNorm,
                channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withSeed(long value) {
        return new CriticTrainingSettings(kind, steps, batch, value, evalSeed, evalSamples, lr, warmupSteps, clipNorm,
                channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withEvalSamples(int value) {
        return new CriticTrainingSettings(kind, steps, batch, seed, evalSeed, value, lr, warmupSteps, clipNorm,
                channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withEvalSeed(long value) {
        return new CriticTrainingSettings(kind, steps, batch, seed, value, evalSamples, lr, warmupSteps, clipNorm,
                channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withLr(double value) {
        return new CriticTrainingSettings(kind, steps, batch, seed, evalSeed, evalSamples, value, warmupSteps, clipNorm,
                channels, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withChannels(List<Integer> value) {
        return new CriticTrainingSettings(kind, steps, batch, seed, evalSeed, evalSamples, lr, warmupSteps, clipNorm,
                value, groups, renderThreads, logEvery);
    }

    public CriticTrainingSettings withLogEvery(int value) {
        return new CriticTrainingSettings(kind, steps, batch, seed, evalSeed, evalSamples, lr, warmupSteps, clipNorm,
                channels, groups, renderThreads, value);
    }

    /** The learning rate of update {@code step} (0-based): linear warm-up, then half a cosine down to 0. */
    public double lrAt(int step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
