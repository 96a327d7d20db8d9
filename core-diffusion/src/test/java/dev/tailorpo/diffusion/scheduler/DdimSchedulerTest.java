package dev.tailorpo.diffusion.scheduler;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerStep;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed forms and invariants of the DDIM step (parity with diffusers is in DdimSchedulerParityTest). */
class DdimSchedulerTest {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDdim();

    private static SchedulerConfig with(String key, Object value) {
        Map<String, Object> json = new HashMap<>(SD.toMap());
        json.put(key, value);
        return SchedulerConfig.fromMap(json);
    }

    @Test
    void logProbOfTheMeanIsTheNormalisingConstant() {
        DdimScheduler s = new DdimScheduler(SD);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 2, 4, 4, 4);
            NDArray eps = Gaussians.array(m, 2, 2, 4, 4, 4);
            for (double eta : new double[] {1.0, 0.5}) {
                SchedulerStep step = s.step(eps, 451, 401, x, eta, null);
                double std = eta * Math.sqrt(s.variance(451, 401));
                assertEquals(std, step.std().getFloat(), 1e-7);
                float[] lp = step.logProb(step.mean().stopGradient()).toFloatArray();
                for (float v : lp) {
                    assertEquals(-Math.log(std) - LOG_SQRT_2PI, v, 1e-5, "eta " + eta);
                }
            }
        }
    }

    @Test
    void logProbIsTheMeanGaussianLogDensityOfTheNoise() {
        DdimScheduler s = new DdimScheduler(SD);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 2, 4, 4, 4);
            NDArray eps = Gaussians.array(m, 2, 2, 4, 4, 4);
            float[] z = Gaussians.values(3, 128);
            SchedulerStep step = s.step(eps, 951, 901, x, 1.0, m.create(z, x.getShape()));
            float[] lp = step.logProb(step.prevSample().stopGradient()).toFloatArray();
            double logStd = Math.log(Math.sqrt(s.variance(951, 901)));
            for (int b = 0; b < 2; b++) {
                double sumSq = 0;
                for (int i = 0; i < 64; i++) {
                    sumSq += z[b * 64 + i] * z[b * 64 + i];
                }
                assertEquals(-0.5 * sumSq / 64 - logStd - LOG_SQRT_2PI, lp[b], 1e-5, "batch element " + b);
            }
        }
    }

    @Test
    void predictionTypesConvertIntoEachOther() {
        DdimScheduler epsS = new DdimScheduler(SD);
        DdimScheduler vS = new DdimScheduler(SD.withPredictionType("v_prediction"));
        DdimScheduler x0S = new DdimScheduler(SD.withPredictionType("sample"));
        int t = 301;
        int[] ts = {t, t};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = Gaussians.array(m, 1, 2, 4, 4, 4);
            NDArray eps = Gaussians.array(m, 2, 2, 4, 4, 4);
            NDArray xt = epsS.addNoise(x0, eps, ts);
            NDArray v = vS.trainingTarget(x0, eps, ts);
            // v = sqrt(a) eps - sqrt(1 - a) x0, computed here independently of the scheduler's formula
            double a = epsS.schedule().alphaCumprod(t);
            assertClose(eps.mul((float) Math.sqrt(a)).sub(x0.mul((float) Math.sqrt(1 - a))), v, 1e-6, 0, "v target");

            assertClose(x0, vS.predictOriginalSample(v, t, xt), 1e-5, 0, "x0 from v");
            assertClose(eps, vS.predictEpsilon(v, t, xt), 1e-5, 0, "eps from v");
            assertClose(x0, epsS.predictOriginalSample(eps, t, xt), 1e-5, 0, "x0 from eps");
            assertClose(eps, x0S.predictEpsilon(x0, t, xt), 1e-5, 0, "eps from x0");
            assertSame(eps, epsS.predictEpsilon(eps, t, xt));
            assertSame(eps, epsS.trainingTarget(x0, eps, ts), "the epsilon target is the noise itself");

            NDArray z = Gaussians.array(m, 3, 2, 4, 4, 4);
            SchedulerStep fromEps = epsS.step(eps, t, 251, xt, 1.0, z);
            SchedulerStep fromV = vS.step(v, t, 251, xt, 1.0, z);
            SchedulerStep fromX0 = x0S.step(x0, t, 251, xt, 1.0, z);
            assertClose(fromEps.mean(), fromV.mean(), 1e-5, 0, "mean from v vs eps");
            assertClose(fromEps.mean(), fromX0.mean(), 1e-5, 0, "mean from x0 vs eps");
            assertClose(fromEps.prevSample(), fromV.prevSample(), 1e-5, 0, "prev_sample from v vs eps");
        }
    }

    @Test
    void clipSampleClipsX0ButKeepsTheModelsNoise() {
        DdimScheduler s = new DdimScheduler(with("clip_sample", true));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 1, 4, 4, 4);
            NDArray eps = Gaussians.array(m, 2, 1, 4, 4, 4);
            SchedulerStep step = s.step(eps, 951, 901, x, 0.0, null);
            float[] x0 = step.predOriginalSample().toFloatArray();
            float[] raw = new DdimScheduler(SD).predictOriginalSample(eps, 951, x).toFloatArray();
            boolean clippedSome = false;
            for (int i = 0; i < x0.length; i++) {
                assertEquals(Math.max(-1f, Math.min(1f, raw[i])), x0[i], 1e-6);
                clippedSome |= Math.abs(raw[i]) > 1;
            }
            assertTrue(clippedSome, "x0 at t=951 should exceed the clip range somewhere");
            assertSame(eps, step.predEpsilon());
            // mean = sqrt(a_prev) clip(x0) + sqrt(1 - a_prev) eps at eta 0
            double ap = s.alphaCumprodPrev(901);
            NDArray expected = step.predOriginalSample().mul((float) Math.sqrt(ap)).add(eps.mul((float) Math.sqrt(1 - ap)));
            assertClose(expected, step.mean(), 1e-6, 0, "mean with clipped x0");
        }
    }

    @Test
    void gradientOfLogProbReachesTheModelOutputAndMatchesFiniteDifferences() {
        DdimScheduler s = new DdimScheduler(SD);
        int t = 451;
        int prev = 401;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 2, 1, 2, 2);
            NDArray target = Gaussians.array(m, 2, 2, 1, 2, 2);    // a fixed, detached x_{t-1}
            float[] eps0 = Gaussians.values(3, 8);
            NDArray leaf = m.create(eps0, x.getShape());
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(s.step(leaf, t, prev, x, 1.0, null).logProb(target).sum());
            }
            float[] grad = leaf.getGradient().toFloatArray();

            // closed form: d mean / d eps = -sqrt(a_prev) sqrt(1 - a_t) / sqrt(a_t) + sqrt(1 - a_prev - sigma^2)
            double at = s.schedule().alphaCumprod(t);
            double ap = s.alphaCumprodPrev(prev);
            double var = s.variance(t, prev);
            double dMean = -Math.sqrt(ap) * Math.sqrt(1 - at) / Math.sqrt(at) + Math.sqrt(1 - ap - var);
            float[] mean = s.step(leaf.stopGradient(), t, prev, x, 1.0, null).mean().toFloatArray();
            float[] y = target.toFloatArray();
            for (int i = 0; i < 8; i++) {
                double expected = (y[i] - mean[i]) / var * dMean / 4;   // 4 elements per batch element
                assertEquals(expected, grad[i], 1e-5 + 1e-4 * Math.abs(expected), "analytic gradient " + i);
            }

            double h = 1e-2;   // log-prob is quadratic in eps: central differences are exact up to rounding
            for (int i = 0; i < 8; i++) {
                double fd = (logProbSum(s, x, target, eps0, i, h, m) - logProbSum(s, x, target, eps0, i, -h, m)) / (2 * h);
                assertEquals(fd, grad[i], 2e-3 * Math.max(1, Math.abs(fd)), "finite difference " + i);
            }
        }
    }

    private static double logProbSum(DdimScheduler s, NDArray x, NDArray target, float[] eps, int i, double h,
                                     NDManager m) {
        try (NDManager sub = m.newSubManager()) {
            float[] e = eps.clone();
            e[i] += (float) h;
            NDArray out = s.step(sub.create(e, x.getShape()), 451, 401, x, 1.0, null).logProb(target);
            float[] lp = out.toFloatArray();
            return lp[0] + lp[1];
        }
    }

    @Test
    void addNoiseUsesEachElementsTimestep() {
        DdimScheduler s = new DdimScheduler(SD);
        int[] ts = {0, 500, 999};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = Gaussians.array(m, 1, 3, 2, 2, 2);
            NDArray eps = Gaussians.array(m, 2, 3, 2, 2, 2);
            float[] noisy = s.addNoise(x0, eps, ts).toFloatArray();
            float[] a = x0.toFloatArray();
            float[] e = eps.toFloatArray();
            for (int b = 0; b < 3; b++) {
                double ab = s.schedule().alphaCumprod(ts[b]);
                for (int i = b * 8; i < (b + 1) * 8; i++) {
                    assertEquals(Math.sqrt(ab) * a[i] + Math.sqrt(1 - ab) * e[i], noisy[i], 1e-6, "element " + i);
                }
            }
            assertThrows(InvalidInputException.class, () -> s.addNoise(x0, eps, new int[] {1, 2}));
            assertThrows(InvalidInputException.class, () -> s.addNoise(x0, eps, new int[] {1, 2, 1000}));
        }
    }

    @Test
    void resultsLandInTheCallersManager() {
        DdimScheduler s = new DdimScheduler(SD);
        try (NDManager longLived = NDManager.newBaseManager(); NDManager step = longLived.newSubManager()) {
            NDArray x = Gaussians.array(step, 1, 1, 4, 2, 2);
            NDArray eps = Gaussians.array(step, 2, 1, 4, 2, 2);
            NDArray z = Gaussians.array(step, 3, 1, 4, 2, 2);
            SchedulerStep r = s.step(eps, 451, 401, x, 1.0, z);
            NDArray lp = r.logProb(r.prevSample());
            for (NDArray a : new NDArray[] {r.prevSample(), r.mean(), r.std(), r.predOriginalSample(), lp,
                    s.addNoise(x, eps, new int[] {10})}) {
                assertSame(step, a.getManager());
            }
        }
    }

    @Test
    void finalStepWithAlphaOneIsDeterministicAndLandsOnX0() {
        DdimScheduler s = new DdimScheduler(with("set_alpha_to_one", true));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 1, 4, 2, 2);
            NDArray eps = Gaussians.array(m, 2, 1, 4, 2, 2);
            int prev = s.previousTimestep(1, 20);
            assertEquals(-49, prev);
            SchedulerStep r = s.step(eps, 1, prev, x, 1.0, Gaussians.array(m, 3, 1, 4, 2, 2));
            assertEquals(0, r.std().getFloat(), 0);
            assertClose(r.predOriginalSample(), r.prevSample(), 1e-6, 0, "prev_sample = x0");
        }
    }

    @Test
    void badEtaFailsNamingIt() {
        DdimScheduler s = new DdimScheduler(SD);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 1, 4, 2, 2);
            InvalidInputException neg = assertThrows(InvalidInputException.class, () -> s.step(x, 451, 401, x, -0.1, null));
            assertTrue(neg.getMessage().contains("-0.1"), neg.getMessage());
            InvalidInputException big = assertThrows(InvalidInputException.class, () -> s.step(x, 451, 401, x, 2.0, null));
            assertTrue(big.getMessage().contains("eta 2.0"), big.getMessage());
        }
    }
}
