package dev.tailorpo.diffusion.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused GroupNorm implementations (libtorch batch norm, layer norm) against the written-out
 * definition: same values, same gradients for input, weight and bias.
 */
class GroupNormVariantsTest {

    interface Gn {
        NDArray apply(NDArray x, int groups, NDArray w, NDArray b, float eps);
    }

    @Test
    void fusedVariantsMatchTheDefinitionInValueAndGradient() {
        for (Shape shape : List.of(new Shape(2, 32, 8, 8), new Shape(3, 12, 5, 7), new Shape(2, 16, 10))) {
            NDArray[] ref = run(shape, GroupNormReference::means);
            for (Gn gn : List.<Gn>of(GroupNormReference::batchNorm, F::groupNorm)) {
                NDArray[] got = run(shape, gn);
                String[] what = {"output", "d/dx", "d/dweight", "d/dbias"};
                for (int i = 0; i < 4; i++) {
                    TestData.assertClose(ref[i], got[i], 2e-5, 1e-5, what[i] + " " + shape);
                }
                for (NDArray a : got) {
                    a.getManager().close();
                }
            }
            ref[0].getManager().close();
        }
    }

    @Test
    void resultsGoToTheInputsManagerAndRepeatExactly() {
        // a result (even a reshaped view) in the parameters' manager would grow it every step
        try (NDManager params = NDManager.newBaseManager(); NDManager step = NDManager.newBaseManager()) {
            NDArray w = params.ones(new Shape(8));
            NDArray b = params.zeros(new Shape(8));
            NDArray x = step.randomNormal(new Shape(2, 8, 4, 4));
            int before = params.getManagedArrays().size();
            float[] first = F.groupNorm(x, 4, w, b, 1e-5f).toFloatArray();
            float[] second = F.groupNorm(x, 4, w, b, 1e-5f).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(first, second);
            assertEquals(before, params.getManagedArrays().size(), "arrays added to the parameters' manager");
        }
    }

    /** Output and gradients (x, weight, bias) of sum(gn(x) * r), all in a fresh manager. */
    private static NDArray[] run(Shape shape, Gn gn) {
        NDManager m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
        NDArray x = m.randomNormal(shape).mul(3).add(1);
        long c = shape.get(1);
        NDArray w = m.randomNormal(new Shape(c));
        NDArray b = m.randomNormal(new Shape(c));
        NDArray r = m.randomNormal(shape);
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = gn.apply(x, 4, w, b, 1e-5f);
            gc.backward(y.mul(r).sum());
        }
        return new NDArray[] {y.stopGradient(), x.getGradient(), w.getGradient(), b.getGradient()};
    }
}
