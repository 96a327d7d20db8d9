package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;

import java.util.List;
import java.util.SplittableRandom;

/**
 * An endless, random-access stream of rendered samples. Sample {@code i} depends only on
 * (seed, prompts, i), so loaders may render indices in any order, on any thread, and resume from
 * any index. By default prompts are drawn uniformly from every prompt of the world, train and
 * unseen alike: the base model is pretrained on every pair (as SD has seen everything), while
 * fine-tuning uses only the training prompts.
 */
public final class ShapesDataset {
    private final long seed;
    private final List<ShapePrompt> prompts;

    /** Samples over {@link ShapesPrompts#all()}. */
    public ShapesDataset(long seed) {
        this(seed, ShapesPrompts.all());
    }

    /** Samples over the given prompts (uniformly). */
    public ShapesDataset(long seed, List<ShapePrompt> prompts) {
        if (prompts.isEmpty()) {
            throw new InvalidInputException("a shapes dataset needs at least one prompt");
        }
        this.seed = seed;
        this.prompts = List.copyOf(prompts);
    }

    public long seed() {
        return seed;
    }

    public List<ShapePrompt> prompts() {
        return prompts;
    }

    /** Sample {@code index} (any long, negative ones included). */
    public ShapesSample get(long index) {
        SplittableRandom r = new SplittableRandom(sampleSeed(seed, index));
        ShapePrompt prompt = prompts.get(r.nextInt(prompts.size()));
        RenderParams params = RenderSampler.sample(prompt, r.nextLong());
        return new ShapesSample(index, prompt, params, ShapesRenderer.render(prompt, params),
                QualityRating.of(params, prompt.shape()));
    }

    /**
     * The seed of sample {@code index}: both inputs go through SplitMix64's finaliser so that
     * neighbouring seeds and indices give unrelated streams.
     */
    public static long sampleSeed(long seed, long index) {
        return mix64(mix64(seed) + index * 0x9E3779B97F4A7C15L);
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
