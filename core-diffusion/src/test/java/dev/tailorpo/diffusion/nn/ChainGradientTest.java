package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.tensor.Scalars;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ChainGradientTest {
    /** sin(3 x^2) per element, as three stages: x^2, 3 y, sin. */
    private static final List<UnaryOperator<NDArray>> CHAIN = List.of(NDArray::square, y -> Scalars.mul(y, 3), NDArray::sin);

    @Test
    void bothWaysGiveTheClosedFormValueAndGradient() {
        // sin(3 x^2): d/dx = 6 x cos(3 x^2)
        assertClosedForm(CHAIN, new float[] {-1.3f, -0.2f, 0f, 0.4f, 1.1f},
                x -> Math.sin(3 * x * x), x -> 6 * x * Math.cos(3 * x * x));
    }

    @Test
    void aSumStageTakesEachTermsGradientAlone() {
        // sin(x^2 + 3 x): d/dx = (2 x + 3) cos(x^2 + 3 x)
        List<UnaryOperator<NDArray>> chain = List.of(new ChainGradient.Sum(List.of(NDArray::square, y -> Scalars.mul(y, 3))), NDArray::sin);
        assertClosedForm(chain, new float[] {-2.1f, -0.5f, 0.3f, 1.7f},
                x -> Math.sin(x * x + 3 * x), x -> (2 * x + 3) * Math.cos(x * x + 3 * x));
    }

    private static void assertClosedForm(List<UnaryOperator<NDArray>> chain, float[] x, DoubleUnaryOperator value,
                                         DoubleUnaryOperator derivative) {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean staged : new boolean[] {false, true}) {
                NDArray in = m.create(x);
                ChainGradient.Result r = staged ? ChainGradient.stageByStage(chain, in) : ChainGradient.wholeGraph(chain, in);
                float[] v = r.value().toFloatArray();
                float[] g = r.gradient().toFloatArray();
                String how = staged ? " (stage by stage)" : " (one graph)";
                for (int i = 0; i < x.length; i++) {
                    assertEquals(value.applyAsDouble(x[i]), v[i], 1e-6, "value " + i + how);
                    assertEquals(derivative.applyAsDouble(x[i]), g[i], 1e-5, "d/dx " + i + how);
                }
                assertFalse(in.hasGradient(), "the caller's array is left without a gradient" + how);
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
