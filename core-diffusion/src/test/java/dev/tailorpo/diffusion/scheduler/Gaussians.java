package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/** Reproducible standard-normal test tensors. */
final class Gaussians {
    private Gaussians() {}

    static float[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static NDArray array(NDManager m, long seed, long... shape) {
        Shape s = new Shape(shape);
        return m.create(values(seed, (int) s.size()), s);
    }
}
