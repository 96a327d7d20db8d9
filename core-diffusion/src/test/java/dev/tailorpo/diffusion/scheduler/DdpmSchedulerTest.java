package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerStep;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DdpmSchedulerTest {
    private static final SchedulerConfig SD_DDPM = SchedulerConfig.stableDiffusionDdim().withClassName("DDPMScheduler");

    private static SchedulerConfig with(SchedulerConfig base, String key, Object value) {
        Map<String, Object> json = new HashMap<>(base.toMap());
        json.put(key, value);
        return SchedulerConfig.fromMap(json);
    }

    /**
     * Ho et al. Eq. 7 on a strided schedule: mean = sqrt(a_prev) beta / (1 - a_t) x0 + sqrt(1 - beta)
     * (1 - a_prev) / (1 - a_t) x_t, variance (1 - a_prev) / (1 - a_t) beta (fixed_small) or beta
     * (fixed_large), with beta = 1 - a_t / a_prev. With sample prediction x0_hat is the model output.
     */
    @Test
    void meanAndStdFollowThePosteriorFormula() {
        DdpmScheduler small = new DdpmScheduler(SD_DDPM.withPredictionType("sample"));
        DdpmScheduler large = new DdpmScheduler(with(SD_DDPM.withPredictionType("sample"), "variance_type", "fixed_large"));
        int t = 451;
        int prev = small.previousTimestep(t, 20);
        assertEquals(401, prev);
        double at = small.schedule().alphaCumprod(t);
        double ap = small.schedule().alphaCumprod(prev);
        double beta = 1 - at / ap;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = Gaussians.array(m, 1, 2, 4, 2, 2);
            NDArray xt = Gaussians.array(m, 2, 2, 4, 2, 2);
            float[] a = x0.toFloatArray();
            float[] b = xt.toFloatArray();
            float[] expected = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                expected[i] = (float) (Math.sqrt(ap) * beta / (1 - at) * a[i]
                        + Math.sqrt(1 - beta) * (1 - ap) / (1 - at) * b[i]);
            }
            SchedulerStep s = small.step(x0, t, prev, xt, 0.0, null);
            assertClose(m.create(expected, xt.getShape()), s.mean(), 1e-6, 0, "posterior mean");
            assertEquals(Math.sqrt((1 - ap) / (1 - at) * beta), s.std().getFloat(), 1e-7, "fixed_small std");
            assertSame(s.mean(), s.prevSample(), "no noise given: the mean");

            SchedulerStep l = large.step(x0, t, prev, xt, 0.0, null);
            assertClose(s.mean(), l.mean(), 0, 0, "variance type does not change the mean");
            assertEquals(Math.sqrt(beta), l.std().getFloat(), 1e-7, "fixed_large std");
        }
    }

    /** DDIM at eta 1 is DDPM's posterior, so DDPM must reproduce the DDIM eta-1 fixtures where both share a_prev. */
    @Test
    void matchesTheDdimEtaOneFixtures() throws IOException {
        FixtureTensors f = new FixtureTensors(TestData.sdTiny("scheduler", "reference.safetensors"));
        SchedulerConfig config = Schedulers.readConfig(TestData.sdTiny("scheduler")).withClassName("DDPMScheduler");
        DdpmScheduler ddpm = (DdpmScheduler) Schedulers.create(config);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xt = f.load("x_t", m);
            NDArray eps = f.load("eps", m);
            NDArray z = f.load("variance_noise", m);
            for (int t : new int[] {951, 451}) {
                String key = "eta1_t" + t;
                SchedulerStep s = ddpm.step(eps, t, ddpm.previousTimestep(t, 20), xt, 0.0, z);
                System.out.printf("DDPM %s: mean %.3g, prev_sample %.3g%n", key,
                        TestData.maxAbsDiff(f.load(key + "_mean", m), s.mean()),
                        TestData.maxAbsDiff(f.load(key + "_prev_sample", m), s.prevSample()));
                assertClose(f.load(key + "_mean", m), s.mean(), 1e-5, 0, key + " mean");
                assertClose(f.load(key + "_prev_sample", m), s.prevSample(), 1e-5, 0, key + " prev_sample");
                assertEquals(f.floats(key + "_std")[0], s.std().getFloat(), 1e-6, key + " std");
                assertClose(f.load(key + "_pred_original_sample", m), s.predOriginalSample(), 1e-5, 0, key + " x0");
            }
        }
    }

    @Test
    void lastStepsGoToTheCleanSample() {
        DdpmScheduler s = new DdpmScheduler(SD_DDPM);
        assertArrayEquals(new int[] {751, 501, 251, 1}, s.timesteps(4));
        assertEquals(-1, s.previousTimestep(1, 4));
        assertEquals(251, s.previousTimestep(501, 4));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.previousTimestep(500, 4));
        assertTrue(e.getMessage().contains("500"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 1, 4, 2, 2);
            NDArray eps = Gaussians.array(m, 2, 1, 4, 2, 2);
            // past the end alphā_prev = 1: the mean is x0_hat and the variance is clamped to 1e-20
            SchedulerStep last = s.step(eps, 1, -1, x, 0.0, null);
            assertClose(last.predOriginalSample(), last.mean(), 1e-6, 0, "mean = x0 at the last step");
            assertEquals(1e-10, last.std().getFloat(), 1e-16);
            // at t = 0 diffusers adds no noise
            SchedulerStep zero = s.step(eps, 0, -1, x, 0.0, Gaussians.array(m, 3, 1, 4, 2, 2));
            assertEquals(0, zero.std().getFloat(), 0);
            assertSame(zero.mean(), zero.prevSample());
        }
    }

    @Test
    void diffusersDefaultsClipX0() {
        DdpmScheduler s = new DdpmScheduler(SchedulerConfig.fromMap(Map.of("_class_name", "DDPMScheduler")));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Gaussians.array(m, 1, 1, 4, 4, 4);
            NDArray eps = Gaussians.array(m, 2, 1, 4, 4, 4);
            float[] x0 = s.step(eps, 999, 998, x, 0.0, null).predOriginalSample().toFloatArray();
            for (float v : x0) {
                assertTrue(Math.abs(v) <= 1f, "clipped x0 " + v);
            }
        }
    }

    @Test
    void learnedVariancesAreRejectedNamingTheSupportedOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new DdpmScheduler(with(SD_DDPM, "variance_type", "learned_range")));
        assertTrue(e.getMessage().contains("learned_range") && e.getMessage().contains("fixed_small"), e.getMessage());
    }
}
