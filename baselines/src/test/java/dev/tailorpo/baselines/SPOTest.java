package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.testing.ScoreOnlyStepwiseReward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SPOTest {
    private static final int STEPS = 8;
    private static final String A = "a red circle";
    private static final String B = "a blue square";
    private static final DpoLoss LOSS = new DpoLoss(10, 0.1);

    @RegisterExtension
    static final Fixtures.LoadedPolicy loaded = new Fixtures.LoadedPolicy(STEPS);

    /** A step-wise reward that gives the j-th row of a prompt in each call the score scores.get(prompt)[j], and records the calls. */
    private static final class Scripted implements ScoreOnlyStepwiseReward {
        final Map<String, double[]> scores;
        final NDManager keep;
        final List<Call> calls = new ArrayList<>();

        record Call(int stepIndex, Map<String, List<NDArray>> rows) {}

        Scripted(Map<String, double[]> scores, NDManager keep) {
            this.scores = scores;
            this.keep = keep;
        }

        @Override
        public float[] score(Conditioning c, NDArray x, int stepIndex) {
            Map<String, List<NDArray>> rows = new HashMap<>();
            float[] out = new float[c.size()];
            for (int r = 0; r < c.size(); r++) {
                String prompt = c.prompts().get(r);
                List<NDArray> seen = rows.computeIfAbsent(prompt, k -> new ArrayList<>());
                out[r] = (float) scores.get(prompt)[seen.size()];
                NDArray row = x.get(r + ":" + (r + 1)).duplicate();
                row.attach(keep);
                seen.add(row);
            }
            calls.add(new Call(stepIndex, rows));
            return out;
        }
    }

    private static SPO spo(Set<Integer> trainSteps) {
        return new SPO(new SPO.Settings(4, 4, 0.3, trainSteps), LOSS);
    }

    @Test
    void marginIsTheSoftmaxDifferenceOfBestAndWorst() {
        double e7 = Math.exp(0.7);
        assertEquals((e7 - 1) / (e7 + 1), SPO.margin(0.7, 0), 1e-12);
        assertTrue(SPO.margin(0.7, 0) > 0.3 && SPO.margin(0.5, 0) < 0.3);
    }

    /**
     * Prompt A's best and worst differ by 0.5 (softmax margin 0.245, below 0.3, although the raw
     * difference is above it): no pair. Prompt B's by 0.7 (margin 0.336): best vs worst at every
     * step from divert_start_step on, and nothing is scored before it.
     */
    @Test
    void bestVersusWorstKeptOnlyAboveTheSoftmaxMarginAndOnlyFromTheDivertStep() {
        try (NDManager it = loaded.manager().newSubManager()) {
            Scripted sr = new Scripted(Map.of(A, new double[] {0, 0.2, 0.5, 0.1}, B, new double[] {0, 0.7, 0.3, 0.1}), it);
            EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.brightness(true), sr, 0, it);
            Experience<PreferencePair> e = spo(Set.of()).collect(ctx, List.of(A, B));
            assertEquals(2, e.finalRewards().length);
            assertEquals(List.of(5, 6, 7, 8), sr.calls.stream().map(Scripted.Call::stepIndex).toList(),
                    "candidates scored at the next step of every step from 4 on, none before");
            assertEquals(4, e.samples().size());
            assertEquals(0.5, ctx.metrics().get("spo/kept_fraction"));
            for (int k = 0; k < 4; k++) {
                PreferencePair p = e.samples().get(k);
                Scripted.Call call = sr.calls.get(k);
                assertEquals(List.of(B), p.condition().prompts());
                assertEquals(4 + k, p.stepIndex());
                assertTrue(p.sharesState());
                assertEquals(0, TestData.maxAbsDiff(call.rows().get(B).get(1), p.preferred()), "best (0.7)");
                assertEquals(0, TestData.maxAbsDiff(call.rows().get(B).get(0), p.dispreferred()), "worst (0)");
            }
        }
    }

    /** The rollout goes on from a candidate drawn uniformly, whatever the ranking: over seeds, not always the winner. */
    @Test
    void continuesFromAUniformlyRandomCandidate() {
        int[] chosen = new int[4];
        for (int iteration = 0; iteration < 3; iteration++) {
            try (NDManager it = loaded.manager().newSubManager()) {
                double[] scores = {0, 3, 1, 2};             // candidate 1 wins, 0 loses, always kept
                Scripted sr = new Scripted(Map.of(A, scores, B, scores), it);
                EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.brightness(true), sr, iteration, it);
                List<PreferencePair> pairs = spo(Set.of()).collect(ctx, List.of(A, B)).samples();
                for (String prompt : List.of(A, B)) {
                    List<PreferencePair> own = pairs.stream().filter(p -> p.condition().prompts().get(0).equals(prompt)).toList();
                    assertEquals(4, own.size());
                    for (int k = 0; k + 1 < own.size(); k++) {
                        NDArray continued = own.get(k + 1).fromPreferred();
                        List<NDArray> candidates = sr.calls.get(k).rows().get(prompt);
                        int match = -1;
                        for (int j = 0; j < candidates.size(); j++) {
                            if (TestData.maxAbsDiff(candidates.get(j), continued) == 0) {
                                assertEquals(-1, match, "a single candidate matches");
                                match = j;
                            }
                        }
                        assertTrue(match >= 0, "the next x_t is one of the candidates");
                        chosen[match]++;
                    }
                }
            }
        }
        int total = chosen[0] + chosen[1] + chosen[2] + chosen[3];
        assertEquals(18, total);
        assertTrue(chosen[1] < total, "not always the winner: " + Arrays.toString(chosen));
        assertTrue(Arrays.stream(chosen).filter(n -> n > 0).count() >= 3,
                "several candidates continue: " + Arrays.toString(chosen));
    }

    @Test
    void configuredTrainStepsAreTheOnlyPairedStepsAndCannotPrecedeTheDivertStep() {
        try (NDManager it = loaded.manager().newSubManager()) {
            double[] scores = {0, 3, 1, 2};
            Scripted sr = new Scripted(Map.of(A, scores), it);
            EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.brightness(true), sr, 0, it);
            List<PreferencePair> pairs = spo(Set.of(5, 7)).collect(ctx, List.of(A)).samples();
            assertEquals(List.of(5, 7), pairs.stream().map(PreferencePair::stepIndex).toList());
            assertSame(pairs.get(0).fromPreferred(), pairs.get(0).fromDispreferred());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> spo(Set.of(3, 5)));
        assertTrue(e.getMessage().contains("before divert_start_step"), e.getMessage());
    }
}
