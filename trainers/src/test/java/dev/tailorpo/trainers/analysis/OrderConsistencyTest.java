package dev.tailorpo.trainers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.testing.ScoreOnlyStepwiseReward;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Order consistency with constructed step-wise rewards whose answers are known: the final step
 * agrees in every pair (its score is the final reward); a reward that flips its sign before the
 * final step disagrees exactly where the plain one agrees; a reward constant before the final step
 * ties everywhere there, which counts as disagreement.
 */
class OrderConsistencyTest {

    /** r(x) = mean of channel 0, times {@code earlySign} before the final step, or a constant when {@code flat}. */
    private record ChannelMean(float earlySign, boolean flat, int steps) implements ScoreOnlyStepwiseReward {
        @Override
        public float[] score(Conditioning c, NDArray x, int stepIndex) {
            float[] s = x.get(":, 0").reshape(x.getShape().get(0), -1).mean(new int[] {1}).toFloatArray();
            if (stepIndex < steps) {
                for (int i = 0; i < s.length; i++) {
                    s[i] = flat ? 1f : earlySign * s[i];
                }
            }
            return s;
        }
    }

    @Test
    void agreementPerStepMatchesConstructedRewards() {
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), m);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(4, 1.0, 5.0), Lora.attach(model.unet(), new LoraConfig(4, 4f), m, 0));
            List<String> prompts = List.of("a cat", "a dog", "a bird");
            List<OrderConsistency.StepResult> plain = OrderConsistency.run(policy, new ChannelMean(1, false, 4), prompts,
                    7, 3, 5, m);
            assertEquals(4, plain.size());
            OrderConsistency.StepResult last = plain.get(3);
            assertEquals(3, last.stepIndex());
            assertEquals(policy.timestep(3), last.timestep());
            assertEquals(7, last.pairs() + last.ties());
            assertTrue(last.pairs() > 0);
            assertEquals(last.pairs(), last.agreements());
            assertEquals(1.0, last.agreementRate());
            // the two trajectories went apart: the first step does not always agree, with noise this large
            List<OrderConsistency.StepResult> flipped = OrderConsistency.run(policy, new ChannelMean(-1, false, 4), prompts,
                    7, 3, 5, m);
            for (int i = 0; i < 3; i++) {
                assertEquals(plain.get(i).pairs(), flipped.get(i).pairs());
                // same noise, same pairs: the flipped reward agrees exactly where the plain one disagrees
                assertEquals(plain.get(i).pairs() - plain.get(i).agreements(), flipped.get(i).agreements(), "step " + i);
            }
            assertEquals(flipped.get(3).pairs(), flipped.get(3).agreements());
            for (OrderConsistency.StepResult r : OrderConsistency.run(policy, new ChannelMean(1, true, 4), prompts, 7, 4, 5, m)) {
                assertEquals(r.stepIndex() == 3 ? r.pairs() : 0, r.agreements());
            }
        }
    }

    @Test
    void sameSeedGivesSameCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), m);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(3, 1.0, 5.0), Lora.attach(model.unet(), new LoraConfig(4, 4f), m, 0));
            List<OrderConsistency.StepResult> a = OrderConsistency.run(policy, new ChannelMean(1, false, 3),
                    List.of("a cat"), 4, 4, 9, m);
            List<OrderConsistency.StepResult> b = OrderConsistency.run(policy, new ChannelMean(1, false, 3),
                    List.of("a cat"), 4, 4, 9, m);
            assertEquals(a, b);
        }
    }
}
