package dev.tailorpo.api.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * A reward whose score is a differentiable function of the pixels, as TailorPO-G's guidance needs:
 * the returned tensor keeps the autograd graph back to {@code images} (resizing and normalisation
 * included), so a backward pass inside the caller's gradient collector gives d score / d pixels.
 * The model's own parameters are frozen: they never receive gradients.
 */
public interface DifferentiableReward extends RewardModel {

    /**
     * Scores a batch as a tensor of shape {@code (B)} that keeps the graph. The result lives in the
     * manager of {@code images}.
     */
    NDArray scoreTensor(NDArray images, List<String> prompts);

    @Override
    default float[] score(NDArray images, List<String> prompts) {
        // Temporaries follow their first operand into the scope, which frees them all on close.
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray detached = images.stopGradient();
            detached.attach(scope);
            return scoreTensor(detached, prompts).toFloatArray();
        }
    }
}
