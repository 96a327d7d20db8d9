package dev.tailorpo.trainers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The guidance check counts per step with a reward whose gradient is known: r(x) = mean of the
 * first channel, so x+ raises it by exactly 2 eta delta / numel and x- lowers it; with the
 * opposite sign of the gradient (a reward that claims the wrong gradient) nothing rises or falls.
 */
class GuidanceCheckTest {

    /** r(x) = mean over channel 0 of each row; {@code claimedSign} scales the gradient it reports. */
    private record ChannelMean(float claimedSign) implements StepwiseReward {
        @Override
        public float[] score(Conditioning c, NDArray x, int stepIndex) {
            return x.get(":, 0").reshape(x.getShape().get(0), -1).mean(new int[] {1}).toFloatArray();
        }

        @Override
        public Gradient gradient(Conditioning c, NDArray x, int stepIndex, boolean epsConstant) {
            long perRow = x.getShape().slice(2).size();
            NDArray grad = x.zerosLike();
            grad.set(new ai.djl.ndarray.index.NDIndex(":, 0"), claimedSign * 100f / perRow);
            return new Gradient(score(c, x, stepIndex), grad);
        }

        @Override
        public boolean differentiable() {
            return true;
        }
    }

    @Test
    void countsRisesAndFallsPerCheckedStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), m);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(4, 1.0, 5.0), Lora.attach(model.unet(), new LoraConfig(4, 4f), m, 0));
            GuidanceCheck check = new GuidanceCheck(0.2, 0.5, false);
            List<GuidanceCheck.StepResult> right = check.run(policy, new ChannelMean(1), List.of("a cat", "a dog"),
                    List.of(2, 0), 5, 3, 1, m);
            assertEquals(List.of(0, 2), right.stream().map(GuidanceCheck.StepResult::stepIndex).toList());
            for (GuidanceCheck.StepResult r : right) {
                assertEquals(policy.timestep(r.stepIndex()), r.timestep());
                assertEquals(5, r.samples());
                assertEquals(5, r.rises());
                assertEquals(5, r.falls());
            }
            for (GuidanceCheck.StepResult r : check.run(policy, new ChannelMean(-1), List.of("a cat"), List.of(1), 4, 4, 1, m)) {
                assertEquals(0, r.rises());
                assertEquals(0, r.falls());
            }
        }
    }
}
