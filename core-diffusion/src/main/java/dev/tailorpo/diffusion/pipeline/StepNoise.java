package dev.tailorpo.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Where a sampler gets its standard-normal noise: x_T and the noise of each stochastic step. */
public interface StepNoise {

    /** x_T for a batch of {@code shape} (B, C, H, W). */
    NDArray initial(Shape shape, NDManager manager);

    /** The noise of step index {@code stepIndex} for a batch of {@code shape}. */
    NDArray step(int stepIndex, Shape shape, NDManager manager);
}
