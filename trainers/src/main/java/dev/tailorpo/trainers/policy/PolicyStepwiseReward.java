package dev.tailorpo.trainers.policy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.pipeline.GradMode;

/**
 * TailorPO's step-wise reward on a policy and a reward model: r_t(c, x) = r(c, images(x0_hat(x)))
 * with x0_hat from the policy's guided prediction at x's timestep, and r(c, images(x)) for a final
 * sample. Scores are turned so that larger is better.
 */
public final class PolicyStepwiseReward implements StepwiseReward {
    private final DiffusionPolicy policy;
    private final RewardModel reward;

    public PolicyStepwiseReward(DiffusionPolicy policy, RewardModel reward) {
        this.policy = policy;
        this.reward = reward;
    }

    @Override
    public float[] score(Conditioning c, NDArray x, int stepIndex) {
        try (GradMode g = GradMode.disabled()) {
            float[] s = reward.score(images(c, x, stepIndex, true), c.prompts());
            return oriented(s, c);
        }
    }

    @Override
    public boolean differentiable() {
        return reward instanceof DifferentiableReward;
    }

    @Override
    public Gradient gradient(Conditioning c, NDArray x, int stepIndex, boolean epsConstant) {
        if (!(reward instanceof DifferentiableReward dr)) {
            throw new InvalidInputException("reward '" + reward.info().id() + "' is not differentiable: "
                    + "reward guidance (TailorPO-G) needs a differentiable reward");
        }
        NDArray leaf = x.stopGradient();
        leaf.setRequiresGradient(true);
        float[] scores;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray s = dr.scoreTensor(images(c, leaf, stepIndex, epsConstant), c.prompts());
            if (!reward.info().higherIsBetter()) {
                s = s.neg();
            }
            scores = s.toFloatArray();
            gc.backward(s.sum());
        }
        checkFinite(scores, c);
        return new Gradient(scores, leaf.getGradient());
    }

    private NDArray images(Conditioning c, NDArray x, int stepIndex, boolean epsConstant) {
        NDArray clean = stepIndex >= policy.steps() ? x : policy.predictX0(c, x, stepIndex, epsConstant);
        return policy.toImages(clean);
    }

    private float[] oriented(float[] s, Conditioning c) {
        checkFinite(s, c);
        if (!reward.info().higherIsBetter()) {
            for (int i = 0; i < s.length; i++) {
                s[i] = -s[i];
            }
        }
        return s;
    }

    private void checkFinite(float[] s, Conditioning c) {
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                throw new InvalidInputException("reward '" + reward.info().id() + "' gave " + s[i]
                        + " for prompt '" + c.prompts().get(i) + "'");
            }
        }
    }
}
