package dev.tailorpo.trainers.testing;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.StepwiseReward;

/**
 * A step-wise reward that only scores: tests that script or construct their scores implement
 * {@link #score} alone, here and in the baselines' tests (through the trainers test-jar).
 */
public interface ScoreOnlyStepwiseReward extends StepwiseReward {

    /** Never available. */
    @Override
    default Gradient gradient(Conditioning c, NDArray x, int stepIndex, boolean epsConstant) {
        throw new UnsupportedOperationException();
    }

    @Override
    default boolean differentiable() {
        return false;
    }
}
