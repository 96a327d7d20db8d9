package dev.tailorpo.api.tensor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradients through scalar multiplication and division stay exact when the JVM collects garbage
 * (and reuses direct-buffer memory) between the forward and the backward pass. With DJL's own
 * {@code mul(Number)} this loop gave wrong gradients in 164 of 200 iterations.
 */
class ScalarsTest {

    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 50; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.ones(new Shape(1000));
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = Scalars.div(Scalars.mul(x, 3.0), 4.0);
                        churnDirectMemory();
                        gc.backward(y.sum());
                    }
                    NDArray g = x.getGradient();
                    assertEquals(0.75f, g.min().getFloat(), 0f, "iteration " + i);
                    assertEquals(0.75f, g.max().getFloat(), 0f, "iteration " + i);
                }
            }
        }
    }

    /** Frees and reallocates direct buffers, overwriting any memory a dangling tensor still points at. */
    private static void churnDirectMemory() {
        System.gc();
        for (int k = 0; k < 200; k++) {
            ByteBuffer.allocateDirect(4).putFloat(0, 7e30f);
        }
    }
}
