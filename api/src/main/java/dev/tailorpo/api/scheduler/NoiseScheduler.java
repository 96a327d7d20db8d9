package dev.tailorpo.api.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * A noise schedule with its sampling rule: the forward (noising) process used in training and one
 * reverse step used in sampling, written as a Gaussian policy so that preference methods can take
 * log-probabilities of the sampled transitions.
 *
 * <p>Implementations are immutable and hold no per-run state (unlike diffusers' schedulers, whose
 * {@code set_timesteps} mutates them): the inference schedule is asked for explicitly, so one
 * instance serves many concurrent samplers.
 */
public interface NoiseScheduler {

    /** The configuration this scheduler was built from. */
    SchedulerConfig config();

    /** alphā_t for every training timestep t = 0 .. numTrainTimesteps-1. */
    float[] alphasCumprod();

    /** The inference timesteps for {@code numInferenceSteps} steps, noisiest first. */
    int[] timesteps(int numInferenceSteps);

    /**
     * The timestep after {@code timestep} in a schedule of {@code numInferenceSteps} steps, or a
     * negative number after the last step (where alphā is alphā_0, or 1 with set_alpha_to_one).
     */
    int previousTimestep(int timestep, int numInferenceSteps);

    /** x0_hat from the model output (epsilon, v or sample prediction) at {@code timestep}. */
    NDArray predictOriginalSample(NDArray modelOutput, int timestep, NDArray sample);

    /** The noise epsilon implied by the model output at {@code timestep}. */
    NDArray predictEpsilon(NDArray modelOutput, int timestep, NDArray sample);

    /**
     * One reverse step from {@code sample} at {@code timestep} to {@code prevTimestep}.
     *
     * @param eta the stochasticity (DDIM: 0 deterministic, 1 DDPM-like); ignored by schedulers
     *     whose variance is fixed
     * @param varianceNoise standard-normal noise of the sample's shape, or {@code null} to return the
     *     mean as the sample (the step's std and log-prob are still the policy's: trainers recompute
     *     a step this way to score stored samples)
     */
    SchedulerStep step(NDArray modelOutput, int timestep, int prevTimestep, NDArray sample, double eta,
                       NDArray varianceNoise);

    /** The forward process: sqrt(alphā_t) x0 + sqrt(1 - alphā_t) noise, per batch element. */
    NDArray addNoise(NDArray original, NDArray noise, int[] timesteps);

    /** What the model is trained to predict (epsilon, v or x0, per {@code prediction_type}). */
    NDArray trainingTarget(NDArray original, NDArray noise, int[] timesteps);
}
