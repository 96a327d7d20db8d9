package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.tensor.Scalars;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ChainGradientTest {
    /** sin(3 x^2) per element, as three stages: x^2, 3 y, sin. */
    private static final List<UnaryOperator<NDArray>> CHAIN = List.of(NDArray::square, y -> Scalars.mul(y, 3), NDArray::sin);

    @Test
    void bothWaysGiveTheClosedFormValueAndGradient() {
        float[] x = {-1.3f, -0.2f, 0f, 0.4f, 1.1f};
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean staged : new boolean[] {false, true}) {
                NDArray in = m.create(x);
                ChainGradient.Result r = staged ? ChainGradient.stageByStage(CHAIN, in) : ChainGradient.wholeGraph(CHAIN, in);
                float[] value = r.value().toFloatArray();
                float[] grad = r.gradient().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    double u = 3.0 * x[i] * x[i];
                    assertEquals(Math.sin(u), value[i], 1e-6, "value " + i + (staged ? " (staged)" : ""));
                    assertEquals(6.0 * x[i] * Math.cos(u), grad[i], 1e-5, "d/dx " + i + (staged ? " (staged)" : ""));
                }
                assertFalse(in.hasGradient(), "the caller's array is left without a gradient");
            }
        }
    }

    @Test
    void aSumStageTakesEachTermsGradientAlone() {
        // sin(x^2 + 3 x): d/dx = (2 x + 3) cos(x^2 + 3 x)
        List<UnaryOperator<NDArray>> chain = List.of(new ChainGradient.Sum(List.of(NDArray::square, y -> Scalars.mul(y, 3))), NDArray::sin);
        float[] x = {-2.1f, -0.5f, 0.3f, 1.7f};
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean staged : new boolean[] {false, true}) {
                NDArray in = m.create(x);
                ChainGradient.Result r = staged ? ChainGradient.stageByStage(chain, in) : ChainGradient.wholeGraph(chain, in);
                float[] value = r.value().toFloatArray();
                float[] grad = r.gradient().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    double u = (double) x[i] * x[i] + 3.0 * x[i];
                    assertEquals(Math.sin(u), value[i], 1e-6, "value " + i + (staged ? " (staged)" : ""));
                    assertEquals((2.0 * x[i] + 3) * Math.cos(u), grad[i], 1e-5, "d/dx " + i + (staged ? " (staged)" : ""));
                }
            }
        }
    }

    @Test
    void stageByStageRunsTheSameOpsAsOneGraph() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(64));
            float[] whole = ChainGradient.wholeGraph(CHAIN, x).gradient().toFloatArray();
            float[] staged = ChainGradient.stageByStage(CHAIN, x).gradient().toFloatArray();
            assertArrayEquals(whole, staged, 0f);
        }
    }
}
