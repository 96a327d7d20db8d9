package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardModel;

import java.util.SplittableRandom;

/**
 * What the engine gives a {@link TrainingMethod} for one iteration: the policy, the rewards, a
 * manager for the samples it keeps, and seeded randomness.
 *
 * <p>Every random draw a method makes goes through {@link #noise} or {@link #random} with a key
 * that names the draw (prompt row, step index, candidate), so that a run is reproducible bit for
 * bit and a resumed run draws exactly what the uninterrupted one would have.
 */
public interface TrainingContext {

    /** The policy being trained (and its reference). */
    DiffusionPolicy policy();

    /** The reward of final images, as configured. */
    RewardModel reward();

    /** The step-wise reward built on {@link #reward()} and the policy. */
    StepwiseReward stepwiseReward();

    /** The 0-based iteration being run. */
    int iteration();

    /**
     * A manager that lives until the iteration's updates are done: samples returned from
     * {@link TrainingMethod#collect} must be attached to it. Temporaries belong in sub-managers.
     */
    NDManager manager();

    /**
     * A manager for the temporaries of the current {@link TrainingMethod#loss} call (activations,
     * stacked inputs), closed by the engine after that minibatch's backward pass. Inputs stacked
     * from stored samples should be attached to it, so that the ops on them land here too.
     */
    NDManager scratch();

    /** Standard-normal noise of {@code shape}, determined by the run seed, the iteration and {@code key}. */
    NDArray noise(NDManager manager, Shape shape, long... key);

    /** A random stream determined by the run seed, the iteration and {@code key}. */
    SplittableRandom random(long... key);

    /** Records a method-specific metric for this iteration (e.g. the fraction of accepted guided samples). */
    void metric(String name, double value);
}
