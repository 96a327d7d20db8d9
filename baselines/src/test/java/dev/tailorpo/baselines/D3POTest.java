package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.DiffusionPolicy.Branch;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.loss.DpoLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class D3POTest {
    private static final int STEPS = 6;
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square");
    private static final DpoLoss LOSS = new DpoLoss(0.1, 0.1);

    @RegisterExtension
    static final Fixtures.LoadedPolicy loaded = new Fixtures.LoadedPolicy(STEPS);

    @Test
    void everyStepOfTheBetterTrajectoryIsPreferredOverTheSameStepOfTheOther() {
        for (boolean higherIsBetter : new boolean[] {true, false}) {
            try (NDManager it = loaded.manager().newSubManager()) {
                RewardModel reward = Fixtures.brightness(higherIsBetter);
                EngineContext ctx = Fixtures.context(loaded.policy(), reward, 0, it);
                Experience<PreferencePair> e = new D3PO(LOSS).collect(ctx, PROMPTS);
                float[] finals = e.finalRewards();
                assertEquals(2 * PROMPTS.size(), finals.length, "both trajectories' images are reported");
                assertEquals(PROMPTS.size() * STEPS, e.samples().size());
                for (int p = 0; p < PROMPTS.size(); p++) {
                    String prompt = PROMPTS.get(p);
                    List<PreferencePair> chain = e.samples().stream()
                            .filter(s -> s.condition().prompts().equals(List.of(prompt))).toList();
                    assertEquals(IntStream.range(0, STEPS).boxed().toList(),
                            chain.stream().map(PreferencePair::stepIndex).toList(), "every step, once");
                    // step 0: both trajectories leave the same x_T
                    assertEquals(0, TestData.maxAbsDiff(chain.get(0).fromPreferred(), chain.get(0).fromDispreferred()));
                    for (int i = 0; i < STEPS; i++) {
                        PreferencePair pair = chain.get(i);
                        assertFalse(pair.sharesState());
                        assertNotSame(pair.fromPreferred(), pair.fromDispreferred());
                        if (i > 0) {
                            // each member continues its own trajectory, so they start from different x_t
                            assertEquals(0, TestData.maxAbsDiff(chain.get(i - 1).preferred(), pair.fromPreferred()));
                            assertEquals(0, TestData.maxAbsDiff(chain.get(i - 1).dispreferred(), pair.fromDispreferred()));
                            assertTrue(TestData.maxAbsDiff(pair.fromPreferred(), pair.fromDispreferred()) > 1e-3,
                                    "different x_t at step " + i);
                        }
                    }
                    // the preferred chain ends in the image the reward prefers, and both images are reported
                    float rw = score(reward, chain.get(STEPS - 1).preferred(), prompt);
                    float rl = score(reward, chain.get(STEPS - 1).dispreferred(), prompt);
                    assertTrue(reward.info().preference(rw) > reward.info().preference(rl),
                            "higherIsBetter " + higherIsBetter + ": " + rw + " vs " + rl);
                    float[] reported = {finals[p], finals[p + PROMPTS.size()]};
                    Arrays.sort(reported);
                    assertEquals(Math.min(rw, rl), reported[0], 1e-5);
                    assertEquals(Math.max(rw, rl), reported[1], 1e-5);
                }
            }
        }
    }

    @Test
    void equalFinalRewardsGiveNoPairs() {
        try (NDManager it = loaded.manager().newSubManager()) {
            EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.constant(), 0, it);
            Experience<PreferencePair> e = new D3PO(LOSS).collect(ctx, PROMPTS);
            assertEquals(0, e.samples().size());
            assertEquals(4, e.finalRewards().length);
            assertEquals(0.0, ctx.metrics().get("pairs"));
        }
    }

    /** The loss of a minibatch mixing steps is the mean of each pair's DPO loss on its members' own x_t's. */
    @Test
    void lossOfAMixedStepMinibatchUsesEachMembersOwnStartingState() {
        try (NDManager it = loaded.manager().newSubManager()) {
            EngineContext ctx = Fixtures.context(loaded.policy(), Fixtures.brightness(true), 1, it);
            D3PO d3po = new D3PO(LOSS);
            List<PreferencePair> all = d3po.collect(ctx, PROMPTS).samples();
            assertEquals(2 * STEPS, all.size());
            // two prompts at two step indices: one minibatch, two step groups
            List<PreferencePair> pairs = List.of(all.get(STEPS + 4), all.get(1));
            double expected = 0;
            for (PreferencePair p : pairs) {
                NDArray w = loaded.policy().transition(p.condition(), p.fromPreferred(), p.stepIndex(), Branch.POLICY).logProb(p.preferred());
                NDArray wr = loaded.policy().transition(p.condition(), p.fromPreferred(), p.stepIndex(), Branch.REFERENCE).logProb(p.preferred());
                NDArray l = loaded.policy().transition(p.condition(), p.fromDispreferred(), p.stepIndex(), Branch.POLICY).logProb(p.dispreferred());
                NDArray lr = loaded.policy().transition(p.condition(), p.fromDispreferred(), p.stepIndex(), Branch.REFERENCE).logProb(p.dispreferred());
                expected += LOSS.mean(w, wr, l, lr).getFloat() / pairs.size();
            }
            assertEquals(expected, d3po.loss(ctx, pairs).getFloat(), 1e-5);
        }
    }

    private static float score(RewardModel reward, NDArray sample, String prompt) {
        return reward.score(loaded.policy().toImages(sample), List.of(prompt))[0];
    }
}
