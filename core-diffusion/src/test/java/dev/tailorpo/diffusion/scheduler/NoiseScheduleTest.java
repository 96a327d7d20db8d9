package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoiseScheduleTest {

    @Test
    void alphasCumprodMatchesDiffusers() throws IOException {
        float[] expected = new FixtureTensors(TestData.sdTiny("scheduler", "reference.safetensors")).floats("alphas_cumprod");
        float[] actual = new DdimScheduler(SchedulerConfig.stableDiffusionDdim()).alphasCumprod();
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / expected[i]);
        }
        System.out.printf("alphas_cumprod: max abs %.3g, max rel %.3g%n", maxAbs, maxRel);
        // one float32 rounding: the schedule is computed as diffusers does (see NoiseSchedule)
        assertTrue(maxAbs < 1e-7 && maxRel < 2e-7, "alphas_cumprod max abs " + maxAbs + ", max rel " + maxRel);
    }

    @Test
    void scaledLinearIsLinearInSqrtBeta() {
        // float32 values as diffusers stores them: equal to the exact ones to float precision
        double[] b = NoiseSchedule.betas("scaled_linear", 0.00085, 0.012, 1000);
        assertEquals(0.00085, b[0], 1e-10);
        assertEquals(0.012, b[999], 2e-9);
        double mid = (Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * 500 / 999);
        assertEquals(mid * mid, b[500], 1e-9);
        assertEquals((float) b[500], b[500], 0);
    }

    @Test
    void linearBetas() {
        double[] b = NoiseSchedule.betas("linear", 0.0001, 0.02, 5);
        assertEquals((float) 0.0001, b[0], 0);
        assertEquals(0.0001 + 0.0199 / 4 * 2, b[2], 1e-9);
        assertEquals((float) 0.02, b[4], 0);
    }

    /**
     * Reference values from python3's math module with diffusers' formula:
     * f(t) = cos((t + 0.008) / 1.008 * pi / 2)^2, beta_i = min(1 - f((i+1)/n) / f(i/n), 0.999).
     * For n = 10 the last beta would be 1 (f(1) = cos(pi/2)^2 = 0) and is capped at 0.999. The
     * schedule then rounds them to float32, as diffusers' torch.tensor(betas, dtype=float32).
     */
    @Test
    void squaredcosCapV2AgainstHandComputedValues() {
        double[] b = NoiseSchedule.cosineBetas(1000);
        assertEquals(4.128422482196914e-05, b[0], 1e-15);
        assertEquals(4.614175273665033e-05, b[1], 1e-15);
        assertEquals(0.003155691441585007, b[500], 1e-14);
        assertEquals(0.7499993929011166, b[998], 1e-12);
        assertEquals(0.999, b[999], 0);
        double[] b10 = NoiseSchedule.cosineBetas(10);
        assertEquals(0.02790726288603096, b10[0], 1e-15);
        assertEquals(0.30988344010857216, b10[5], 1e-15);
        assertEquals(0.743829366895427, b10[8], 1e-14);
        assertEquals(0.999, b10[9], 0);
        // beta_0 by hand: 1 - cos^2(0.009/1.008 pi/2) / cos^2(0.008/1.008 pi/2)
        double c1 = Math.cos(0.009 / 1.008 * Math.PI / 2);
        double c0 = Math.cos(0.008 / 1.008 * Math.PI / 2);
        assertEquals(1 - c1 * c1 / (c0 * c0), b[0], 1e-18);
        double[] stored = NoiseSchedule.betas("squaredcos_cap_v2", 0, 0, 1000);
        assertEquals((float) b[500], stored[500], 0);
    }

    @Test
    void trainedBetasOverrideTheSchedule() {
        Map<String, Object> json = new HashMap<>(SchedulerConfig.stableDiffusionDdim().toMap());
        json.put("num_train_timesteps", 3);
        json.put("trained_betas", List.of(0.1, 0.2, 0.5));
        NoiseSchedule s = NoiseSchedule.of(SchedulerConfig.fromMap(json));
        assertEquals(0.9, s.alphaCumprod(0), 1e-7);
        assertEquals(0.9 * 0.8, s.alphaCumprod(1), 1e-7);
        assertEquals(0.9 * 0.8 * 0.5, s.alphaCumprod(2), 1e-7);
    }

    @Test
    void zeroTerminalSnrRescalingKeepsTheFirstAlphaAndZeroesTheLast() {
        Map<String, Object> json = new HashMap<>(SchedulerConfig.stableDiffusionDdim().toMap());
        json.put("rescale_betas_zero_snr", true);
        NoiseSchedule rescaled = NoiseSchedule.of(SchedulerConfig.fromMap(json));
        NoiseSchedule plain = NoiseSchedule.of(SchedulerConfig.stableDiffusionDdim());
        assertEquals(plain.alphaCumprod(0), rescaled.alphaCumprod(0), 1e-7);
        assertEquals(0, rescaled.alphaCumprod(999), 0);
        assertEquals(1, rescaled.beta(999), 0);
        // sqrt(alphā) is an affine map of the original: check one interior point
        double s0 = Math.sqrt(plain.alphaCumprod(0));
        double sT = Math.sqrt(plain.alphaCumprod(999));
        double expected = (Math.sqrt(plain.alphaCumprod(500)) - sT) * s0 / (s0 - sT);
        assertEquals(expected * expected, rescaled.alphaCumprod(500), 1e-6 * expected * expected);
    }

    @Test
    void unknownScheduleAndTimestepsOutOfRangeFailClearly() {
        ConfigException e = assertThrows(ConfigException.class, () -> NoiseSchedule.betas("cosine", 0, 0, 10));
        assertTrue(e.getMessage().contains("'cosine'"), e.getMessage());
        NoiseSchedule s = NoiseSchedule.of(SchedulerConfig.stableDiffusionDdim());
        InvalidInputException t = assertThrows(InvalidInputException.class, () -> s.alphaCumprod(1000));
        assertTrue(t.getMessage().contains("1000"), t.getMessage());
    }
}
