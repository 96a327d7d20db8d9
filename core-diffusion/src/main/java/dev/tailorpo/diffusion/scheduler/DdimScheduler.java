package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerStep;

/**
 * diffusers' {@code DDIMScheduler} (Song et al., "Denoising Diffusion Implicit Models", Eq. 12),
 * with its step written as the Gaussian policy of ALGORITHMS.md:
 *
 * <pre>
 *   sigma  = eta sqrt((1 - alphā_prev) / (1 - alphā_t) (1 - alphā_t / alphā_prev))
 *   mean   = sqrt(alphā_prev) x0_hat + sqrt(1 - alphā_prev - sigma^2) eps_hat
 *   x_prev = mean + sigma z
 * </pre>
 *
 * The mean is a differentiable function of the model output, so trainers take gradients of
 * {@link SchedulerStep#logProb} through it. Not ported: dynamic thresholding and
 * {@code use_clipped_model_output} (diffusers' defaults are off; with clip_sample the noise estimate
 * is therefore the unclipped one, as in diffusers).
 */
public final class DdimScheduler extends AbstractNoiseScheduler {

    /** alphā after the last step: 1 with set_alpha_to_one, else alphā_0 (SD 1.5). */
    private final double finalAlphaCumprod;

    public DdimScheduler(SchedulerConfig config) {
        super(config);
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : schedule.alphaCumprod(0);
    }

    @Override
    public int[] timesteps(int numInferenceSteps) {
        return TimestepSpacing.timesteps(config, numInferenceSteps);
    }

    /**
     * t - T / n for every spacing, as diffusers' DDIM does (for {@code linspace} this is not always
     * the next timestep of the schedule; diffusers has the same quirk and we keep its results).
     */
    @Override
    public int previousTimestep(int timestep, int numInferenceSteps) {
        if (numInferenceSteps < 1) {
            throw new InvalidInputException("num_inference_steps must be >= 1, got " + numInferenceSteps);
        }
        return timestep - config.numTrainTimesteps() / numInferenceSteps;
    }

    /** alphā at the step's target: alphā_prev, or the final value past the end of the schedule. */
    public double alphaCumprodPrev(int prevTimestep) {
        return prevTimestep >= 0 ? schedule.alphaCumprod(prevTimestep) : finalAlphaCumprod;
    }

    /** The DDPM posterior variance between the two timesteps (sigma^2 at eta = 1). */
    public double variance(int timestep, int prevTimestep) {
        double at = schedule.alphaCumprod(timestep);
        double ap = alphaCumprodPrev(prevTimestep);
        return (1 - ap) / (1 - at) * (1 - at / ap);
    }

    @Override
    public SchedulerStep step(NDArray modelOutput, int timestep, int prevTimestep, NDArray sample, double eta,
                              NDArray varianceNoise) {
        requireEta(eta);
        requireSameShape(sample, modelOutput, "step: modelOutput");
        double ap = alphaCumprodPrev(prevTimestep);
        double std = eta * Math.sqrt(variance(timestep, prevTimestep));
        double directionVariance = 1 - ap - std * std;
        if (directionVariance < 0) {
            // exactly 0 for eta = 1 with alphā_prev = 1; only rounding makes it negative there
            if (directionVariance < -1e-12) {
                throw new InvalidInputException("eta " + eta + " is too large for the step " + timestep + " -> "
                        + prevTimestep + ": sigma^2 = " + std * std + " exceeds 1 - alphā_prev = " + (1 - ap));
            }
            directionVariance = 0;
        }
        NDArray x0 = predictOriginalSample(modelOutput, timestep, sample);
        NDArray eps = predictEpsilon(modelOutput, timestep, sample);
        NDArray mean = combine(x0, Math.sqrt(ap), eps, Math.sqrt(directionVariance));
        return gaussianStep(sample, x0, eps, mean, std, varianceNoise);
    }
}
