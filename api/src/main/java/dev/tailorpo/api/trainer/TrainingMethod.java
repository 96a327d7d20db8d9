package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A preference-training method's own rules: how it rolls out and labels samples, and its loss.
 * Everything else (the optimizer, gradient clipping and accumulation, the reference policy,
 * checkpoints, metrics) is the engine's and shared by every method.
 *
 * <p>Per iteration the engine calls {@link #collect} once, outside any gradient collector, then
 * {@link #loss} on minibatches of the samples inside a collector, and steps the optimizer.
 *
 * @param <S> the method's training sample type
 */
public interface TrainingMethod<S> {

    /** Rolls out one batch of prompts and returns the samples to train on. */
    Experience<S> collect(TrainingContext context, List<String> prompts);

    /**
     * The loss of a minibatch, a 0-d array whose graph reaches the policy's trainable weights. It is
     * the mean over the minibatch, so that accumulation over minibatches averages.
     */
    NDArray loss(TrainingContext context, List<S> minibatch);
}
