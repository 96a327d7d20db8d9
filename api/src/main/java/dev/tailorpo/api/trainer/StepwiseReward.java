package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;

/**
 * TailorPO's step-wise reward r_t(c, x) ~= r(c, decode(x0_hat(x))) (paper Eq. 12): the reward of
 * the clean image the policy predicts from a noisy state. A state {@code x} at step index i is read
 * at timestep {@code timestep(i)}; at i = steps() it is a final sample and is scored directly.
 * Scores are oriented so that larger is better.
 */
public interface StepwiseReward {

    /** Scores each row of {@code x} at step index {@code stepIndex}. */
    float[] score(Conditioning c, NDArray x, int stepIndex);

    /**
     * The scores and their gradient with respect to {@code x} (same shape as x), through the
     * reward, its preprocessing, the decoder and x0_hat (through the network's noise prediction
     * unless {@code epsConstant}). Needs a differentiable reward model.
     */
    Gradient gradient(Conditioning c, NDArray x, int stepIndex, boolean epsConstant);

    /** Whether {@link #gradient} is available. */
    boolean differentiable();

    /**
     * Scores and gradient of one evaluation.
     *
     * @param scores per row
     * @param grad d score_i / d x_i, in the manager of x
     */
    record Gradient(float[] scores, NDArray grad) {}
}
