package dev.tailorpo.diffusion.models.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autograd through the whole UNet against central finite differences: d(sum(out * W))/d(sample)
 * for a fixed random W, at a few elements of the sd-tiny fixture's input.
 */
class UNetGradientTest {

    @Test
    void inputGradientMatchesCentralDifferences() {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("unet", "reference.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), m);
            NDArray sample = ref.load("sample", m);
            NDArray t = ref.load("timestep", m);
            NDArray ctx = ref.load("encoder_hidden_states", m);
            int n = (int) sample.size();
            SplittableRandom rnd = new SplittableRandom(7);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            NDArray weights = m.create(w, sample.getShape());

            float[] grad;
            try (NDManager step = m.newSubManager()) {
                NDArray x = sample.duplicate();
                x.attach(step);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(unet.forward(x, t, ctx).mul(weights).sum());
                }
                grad = x.getGradient().toFloatArray();
            }

            // float32 rounding makes the objective noisy at about 5e-5 absolute (2048 outputs
            // with ~1e-6 error each, and libtorch's parallel reductions are not bitwise stable from
            // run to run), so the step must be large for noise / (2h) to be small; the h^2
            // truncation error of the large step is cancelled by Richardson extrapolation over h
            // and 2h: (4 D(h) - D(2h)) / 3 is accurate to O(h^4). What remains is ~5e-4 noise per
            // element, hence the tolerance; the float64 test below pins the derivative to 1e-6.
            double h = 0.05;
            float[] x0 = sample.toFloatArray();
            StringBuilder report = new StringBuilder();
            boolean ok = true;
            for (int k = 0; k < 5; k++) {
                int i = rnd.nextInt(n);
                float[] e = new float[n];
                e[i] = 1;
                double fd = richardson(unet, x0, e, h, sample, t, ctx, w);
                ok &= Math.abs(fd - grad[i]) <= 2e-3 + 1e-2 * Math.abs(fd);
                report.append(String.format("%n  element %5d: autograd %+.6f, central difference %+.6f", i, grad[i], fd));
            }
            // along a random direction over all elements the derivative is large (the sum of
            // 2048 terms) and the same noise is relatively tiny: a tight check of the whole gradient
            float[] dir = new float[n];
            double directional = 0;
            for (int i = 0; i < n; i++) {
                dir[i] = (float) rnd.nextGaussian();
                directional += (double) dir[i] * grad[i];
            }
            double fdDir = richardson(unet, x0, dir, h / 10, sample, t, ctx, w);
            report.append(String.format("%n  random direction: autograd %+.6f, central difference %+.6f", directional, fdDir));
            System.out.println("UNet input gradient vs finite differences:" + report);
            assertTrue(ok, "element-wise derivatives" + report);
            assertEquals(fdDir, directional, 1e-3 * Math.abs(fdDir), "directional derivative" + report);
        }
    }

    /** (4 D(h) - D(2h)) / 3 with D(h) the central difference of the objective along {@code dir}. */
    private static double richardson(UNet2DConditionModel unet, float[] x0, float[] dir, double h,
                                     NDArray like, NDArray t, NDArray ctx, float[] w) {
        double d1 = (objective(unet, x0, dir, h, like, t, ctx, w) - objective(unet, x0, dir, -h, like, t, ctx, w)) / (2 * h);
        double d2 = (objective(unet, x0, dir, 2 * h, like, t, ctx, w) - objective(unet, x0, dir, -2 * h, like, t, ctx, w)) / (4 * h);
        return (4 * d1 - d2) / 3;
    }

    private static double objective(UNet2DConditionModel unet, float[] x0, float[] dir, double delta,
                                    NDArray like, NDArray t, NDArray ctx, float[] w) {
        try (NDManager step = like.getManager().newSubManager()) {
            float[] x = x0.clone();
            for (int i = 0; i < x.length; i++) {
                x[i] += (float) (delta * dir[i]);
            }
            float[] out = unet.forward(step.create(x, like.getShape()), t, ctx).toFloatArray();
            double s = 0;
            for (int j = 0; j < out.length; j++) {
                s += (double) out[j] * w[j];
            }
            return s;
        }
    }

    /**
     * The same check with the weights and inputs in float64, where a small step is exact enough
     * to pin the gradient to 1e-6: it shows that the float32 test's ~1e-3 differences are rounding
     * noise, not a wrong derivative.
     */
    @Test
    void inputGradientMatchesCentralDifferencesInFloat64() {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("unet", "reference.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), m);
            Map<String, NDArray> wide = new LinkedHashMap<>();
            unet.stateDict().forEach((k, v) -> wide.put(k, v.toType(DataType.FLOAT64, true)));
            unet.loadStateDict(wide);
            NDArray sample = ref.load("sample", m).toType(DataType.FLOAT64, true);
            NDArray t = ref.load("timestep", m);
            NDArray ctx = ref.load("encoder_hidden_states", m).toType(DataType.FLOAT64, true);
            int n = (int) sample.size();
            SplittableRandom rnd = new SplittableRandom(11);
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = rnd.nextGaussian();
            }
            NDArray weights = m.create(w, sample.getShape());
            NDArray x = sample.duplicate();
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(unet.forward(x, t, ctx).mul(weights).sum());
            }
            double[] grad = x.getGradient().toDoubleArray();
            double[] x0 = sample.toDoubleArray();
            double h = 1e-5;
            for (int k = 0; k < 5; k++) {
                int i = rnd.nextInt(n);
                double fd = (objective64(unet, x0, i, h, sample, t, ctx, weights)
                        - objective64(unet, x0, i, -h, sample, t, ctx, weights)) / (2 * h);
                assertEquals(fd, grad[i], 1e-6 * (Math.abs(fd) + 1e-2), "element " + i);
            }
        }
    }

    private static double objective64(UNet2DConditionModel unet, double[] x0, int i, double delta,
                                      NDArray like, NDArray t, NDArray ctx, NDArray w) {
        try (NDManager step = like.getManager().newSubManager()) {
            double[] x = x0.clone();
            x[i] += delta;
            return unet.forward(step.create(x, like.getShape()), t, ctx).mul(w).sum().getDouble();
        }
    }
}
