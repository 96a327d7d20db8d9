package dev.tailorpo.api.tensor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Concatenation keeps the graph for one array as for several (DJL's NDArrays.concat detaches one). */
class TensorsTest {

    @Test
    void gradientFlowsThroughConcatenationOfOneAndOfSeveralArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Tensors.concat(new NDList(Scalars.mul(x, 2)), 0).sum());
            }
            assertArrayEquals(new float[] {2, 2, 2}, x.getGradient().toFloatArray());
            NDArray z = m.create(new float[] {1, 2, 3});   // a fresh leaf: gradients accumulate across backward calls
            z.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Tensors.concat(new NDList(Scalars.mul(z, 2), Scalars.mul(z, 3)), 0);
                assertArrayEquals(new float[] {2, 4, 6, 3, 6, 9}, y.toFloatArray());
                gc.backward(y.sum());
            }
            assertArrayEquals(new float[] {5, 5, 5}, z.getGradient().toFloatArray());
        }
    }
}
