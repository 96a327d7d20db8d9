package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerStep;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One DDIM step on the fixture's x_t / eps / variance_noise against diffusers' DDIMScheduler with
 * SD 1.5's config, for every case in cases.json. The scheduler is built from the fixture's
 * scheduler_config.json through {@link Schedulers}.
 */
class DdimSchedulerParityTest {
    private static final double ATOL = 1e-5;
    private static final double LOG_PROB_RTOL = 1e-5;

    private static NDManager manager;
    private static FixtureTensors fixture;
    private static NoiseScheduler scheduler;
    private static int numInferenceSteps;

    record Case(String key, double eta, int timestep, int index) {
        @Override
        public String toString() {
            return key;
        }
    }

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        fixture = new FixtureTensors(TestData.sdTiny("scheduler", "reference.safetensors"));
        scheduler = Schedulers.fromConfig(TestData.sdTiny("scheduler", "scheduler_config.json"));
        numInferenceSteps = new ObjectMapper().readTree(TestData.sdTiny("scheduler", "cases.json").toFile())
                .get("num_inference_steps").asInt();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static List<Case> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(TestData.sdTiny("scheduler", "cases.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(new Case(c.get("key").asText(), c.get("eta").asDouble(), c.get("timestep").asInt(),
                    c.get("index").asInt()));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void stepMatchesDiffusers(Case c) {
        try (NDManager m = manager.newSubManager()) {
            assertEquals(c.timestep(), scheduler.timesteps(numInferenceSteps)[c.index()], "case timestep");
            NDArray sample = fixture.load("x_t", m);
            NDArray eps = fixture.load("eps", m);
            NDArray noise = fixture.load("variance_noise", m);
            int prev = scheduler.previousTimestep(c.timestep(), numInferenceSteps);
            SchedulerStep step = scheduler.step(eps, c.timestep(), prev, sample, c.eta(), noise);

            check(c, "prev_sample", step.prevSample(), m);
            check(c, "pred_original_sample", step.predOriginalSample(), m);
            if (c.eta() > 0) {
                check(c, "mean", step.mean(), m);
                NDArray expectedStd = fixture.load(c.key() + "_std", m);
                double stdErr = Math.abs(expectedStd.getFloat(0) - step.std().getFloat());
                System.out.printf("%s std: abs %.3g, rel %.3g%n", c.key(), stdErr, stdErr / expectedStd.getFloat(0));
                assertEquals(expectedStd.getFloat(0), step.std().getFloat(), ATOL, c.key() + " std");

                float[] expectedLp = fixture.floats(c.key() + "_log_prob");
                float[] lp = step.logProb(step.prevSample()).toFloatArray();
                double worst = 0;
                for (int i = 0; i < lp.length; i++) {
                    worst = Math.max(worst, Math.abs(lp[i] - expectedLp[i]) / Math.abs(expectedLp[i]));
                }
                System.out.printf("%s log_prob: max rel %.3g%n", c.key(), worst);
                assertClose(m.create(expectedLp), m.create(lp), 0, LOG_PROB_RTOL, c.key() + " log_prob");
            }
        }
    }

    private static void check(Case c, String name, NDArray actual, NDManager m) {
        NDArray expected = fixture.load(c.key() + "_" + name, m);
        System.out.printf("%s %s: max abs %.3g%n", c.key(), name, TestData.maxAbsDiff(expected, actual));
        assertClose(expected, actual, ATOL, 0, c.key() + " " + name);
    }
}
