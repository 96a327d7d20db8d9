package dev.tailorpo.diffusion.nn;

import java.util.SplittableRandom;

/**
 * How a parameter is filled when a model is trained from scratch (PyTorch's defaults, so that the
 * shapes world's models start where a diffusers model would). Values are drawn from a Java
 * generator seeded per parameter, so initialisation does not depend on the order in which other
 * code consumes the global torch generator.
 */
@FunctionalInterface
public interface Init {

    /** Fills {@code out} in place. */
    void fill(float[] out, SplittableRandom random);

    static Init zeros() {
        return (out, r) -> { };
    }

    static Init constant(float value) {
        return (out, r) -> java.util.Arrays.fill(out, value);
    }

    static Init ones() {
        return constant(1f);
    }

    /** U(-bound, bound). */
    static Init uniform(double bound) {
        return (out, r) -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
        };
    }

    /** N(0, std^2). */
    static Init normal(double std) {
        return (out, r) -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (r.nextGaussian() * std);
            }
        };
    }

    /**
     * PyTorch's default for Linear and Conv weights and biases (kaiming-uniform with a = sqrt(5)):
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    static Init fanIn(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }
}
