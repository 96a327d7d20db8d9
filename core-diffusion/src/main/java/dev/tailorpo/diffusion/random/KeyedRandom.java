package dev.tailorpo.diffusion.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * Random streams addressed by a key path instead of drawn in sequence: the noise of (seed, prompt
 * 3, image 1, step 7) is the same whatever was drawn before it, in whatever thread, in a fresh or a
 * resumed run. This is what makes every method see the same initial noise for the same (prompt,
 * image index), and what makes a resumed training run draw exactly what the uninterrupted run
 * would have.
 *
 * <p>Keys are mixed with SplitMix64's finaliser, which spreads nearby integers (0, 1, 2, ...) to
 * unrelated seeds.
 */
public final class KeyedRandom {
    private final long seed;

    public KeyedRandom(long seed) {
        this.seed = seed;
    }

    /** The root seed. */
    public long seed() {
        return seed;
    }

    /** A stream keyed by {@code seed} and {@code key}. */
    public SplittableRandom stream(long... key) {
        return new SplittableRandom(mix(seed, key));
    }

    /** A child whose streams are keyed under {@code key} (e.g. per iteration). */
    public KeyedRandom child(long... key) {
        return new KeyedRandom(mix(seed, key));
    }

    /** Standard-normal float32 noise of {@code shape} in {@code manager}, from the stream at {@code key}. */
    public NDArray normal(NDManager manager, Shape shape, long... key) {
        long size = shape.size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("noise tensor too large: " + shape);
        }
        float[] values = new float[(int) size];
        SplittableRandom r = stream(key);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
        return manager.create(values, shape);
    }

    /** Hashes a seed and a key path to a new seed. */
    public static long mix(long seed, long... key) {
        long h = splitmix(seed ^ 0x5DEECE66DL);
        for (long k : key) {
            h = splitmix(h ^ splitmix(k + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long splitmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
