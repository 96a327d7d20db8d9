package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * A preference-training method's own rules: how it rolls out and labels samples, and its loss.
 * Everything else (the optimizer, gradient clipping and accumulation, the reference policy,
 * checkpoints, metrics) is the engine's and shared by every method.
 *
 * <p>Per iteration the engine calls {@link #collect} once, outside any gradient collector, then
 * {@link #loss} on minibatches of the samples inside a collector, and steps the optimizer. A method
 * that carries state from one iteration to the next (beyond the trained weights) exposes it through
 * {@link #state} and {@link #restoreState}, so that checkpoints hold it.
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

    /**
     * The state the method carries across iterations, besides the trained weights (e.g. DDPO's
     * per-prompt reward statistics), as a JSON-like tree: maps with string keys, lists, strings,
     * numbers and booleans. The engine writes it into every checkpoint after the iteration's
     * update, and passes it to {@link #restoreState} when it resumes, so that a resumed run goes on
     * exactly as the uninterrupted one. Stateless methods keep the default: an empty map.
     */
    default Map<String, Object> state() {
        return Map.of();
    }

    /**
     * Replaces the method's state with one that {@link #state} returned, read back from JSON: a
     * number may come back as another {@link Number} type (a float as a double), and a checkpoint
     * written before the method had state gives an empty map. The default ignores it.
     */
    default void restoreState(Map<String, Object> state) {}
}
