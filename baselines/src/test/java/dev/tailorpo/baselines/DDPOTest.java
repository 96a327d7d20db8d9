package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy.Branch;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.PolicyStep;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.engine.EngineContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DDPOTest {
    private static final int STEPS = 4;
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square");

    @RegisterExtension
    static final Fixtures.LoadedPolicy loaded = new Fixtures.LoadedPolicy(STEPS);

    private static DDPO ddpo(Map<String, Object> overrides) {
        BaselineProviders.Ddpo p = new BaselineProviders.Ddpo();
        return (DDPO) p.create(MethodSettings.of(p.id(), p.defaults(), overrides));
    }

    /**
     * 2 images per prompt: every step of every image is a sample chained to the next, with its
     * sampling log-prob and the image's reward normalised within its prompt (min_count 2) or, below
     * min_count (the default 16), within the whole batch; at ratio 1 the loss is -mean(A).
     */
    @Test
    void rolloutsKeepEveryStepWithItsLogProbAndTheNormalisedReward() throws Exception {
        for (int minCount : new int[] {2, 16}) {
            try (NDManager it = loaded.manager().newSubManager()) {
                EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.brightness(true), 0, it);
                DDPO ddpo = ddpo(Map.of("images_per_prompt", 2, "min_count", minCount));
                Experience<DDPO.Transition> e = ddpo.collect(ctx, PROMPTS);
                float[] r = e.finalRewards();
                assertEquals(4, r.length);
                assertEquals(4 * STEPS, e.samples().size());
                for (int row = 0; row < 4; row++) {
                    int[] group = minCount == 2 ? range(2 * (row / 2), 2 * (row / 2) + 2) : range(0, 4);
                    double expected = normalised(r, row, group);
                    for (int i = 0; i < STEPS; i++) {
                        DDPO.Transition t = e.samples().get(row * STEPS + i);
                        assertEquals(i, t.stepIndex());
                        assertEquals(List.of(PROMPTS.get(row / 2)), t.condition().prompts());
                        assertEquals(expected, t.advantage(), 1e-5, "advantage of row " + row + ", min_count " + minCount);
                        if (i + 1 < STEPS) {
                            assertSame(t.next(), e.samples().get(row * STEPS + i + 1).from());
                        }
                    }
                }
                assertTrue(TestData.maxAbsDiff(e.samples().get(0).from(), e.samples().get(STEPS).from()) > 0.1,
                        "the images of a prompt start from their own x_T");
                for (DDPO.Transition t : List.of(e.samples().get(1), e.samples().get(3 * STEPS + 3))) {
                    float now = loaded.policy().transition(t.condition(), t.from(), t.stepIndex(), Branch.POLICY).logProb(t.next()).getFloat();
                    assertEquals(now, t.oldLogProb(), 1e-5 * Math.abs(now), "the sampling policy's log-prob");
                }
                double meanAdvantage = e.samples().stream().mapToDouble(DDPO.Transition::advantage).average().orElseThrow();
                assertEquals(-meanAdvantage, ddpo.loss(ctx, e.samples()).getFloat(), 1e-4);
                assertEquals(0.0, ctx.metrics().get("ppo/clip_fraction"));

                ObjectMapper json = new ObjectMapper();
                DDPO restored = ddpo(Map.of());
                restored.restoreState(json.readValue(json.writeValueAsString(ddpo.state()),
                        new TypeReference<Map<String, Object>>() {}));
                assertEquals(ddpo.state(), restored.state(), "the per-prompt buffers are the method's state");
                @SuppressWarnings("unchecked")
                Map<String, List<Double>> buffers = (Map<String, List<Double>>) ddpo.state().get("buffers");
                assertEquals(List.of((double) r[2], (double) r[3]), buffers.get(PROMPTS.get(1)));
            }
        }
    }

    /**
     * With the policy's own log-prob as the old one (ratio 1) an advantage of 7 is clipped to 5; once
     * the ratio has left [1 - 1e-4, 1 + 1e-4] in the advantage's direction the LoRA gradient is
     * exactly zero, and against it the unclipped term still pulls back.
     */
    @Test
    void advantageClipAndNoGradientOutsideTheTrustRegion() {
        try (NDManager it = loaded.manager().newSubManager()) {
            EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.constant(), 0, it);
            Conditioning c = loaded.policy().encode(List.of(PROMPTS.get(0)), it);
            NDArray x = ctx.noise(it, new Shape(1).addAll(loaded.policy().sampleShape()), 9);
            PolicyStep s = loaded.policy().step(c, x, 2, ctx.noise(it, x.getShape(), 10));
            float logp = s.gaussian().logProb(s.next()).getFloat();
            DDPO ddpo = ddpo(Map.of());
            BiFunction<Float, Float, float[]> grad = (old, advantage) -> Fixtures.loraGradient(loaded.policy(),
                    () -> ddpo.loss(ctx, List.of(new DDPO.Transition(c, 2, x, s.next(), old, advantage))));

            assertEquals(-5, ddpo.loss(ctx, List.of(new DDPO.Transition(c, 2, x, s.next(), logp, 7f))).getFloat(), 1e-4);
            float[] at5 = grad.apply(logp, 5f);
            assertTrue(Fixtures.maxAbs(at5) > 1e-6, "a gradient inside the band");
            assertArrayEquals(at5, grad.apply(logp, 7f), 1e-6f * (float) Fixtures.maxAbs(at5));

            float above = logp - 0.01f;                     // ratio e^0.01 > 1 + 1e-4
            float below = logp + 0.01f;                     // ratio e^-0.01 < 1 - 1e-4
            assertEquals(0, Fixtures.maxAbs(grad.apply(above, 1f)), "pushed up past the band: no gradient");
            assertEquals(0, Fixtures.maxAbs(grad.apply(below, -1f)), "pushed down past the band: no gradient");
            assertTrue(Fixtures.maxAbs(grad.apply(above, -1f)) > 1e-6, "above the band with a negative advantage");
            assertTrue(Fixtures.maxAbs(grad.apply(below, 1f)) > 1e-6, "below the band with a positive advantage");
        }
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    /** (r[row] - mean) / (population std + 1e-6) over the rows of {@code group}. */
    private static double normalised(float[] r, int row, int[] group) {
        double mean = 0;
        for (int g : group) {
            mean += r[g] / (double) group.length;
        }
        double var = 0;
        for (int g : group) {
            var += (r[g] - mean) * (r[g] - mean) / group.length;
        }
        return (r[row] - mean) / (Math.sqrt(var) + 1e-6);
    }
}
