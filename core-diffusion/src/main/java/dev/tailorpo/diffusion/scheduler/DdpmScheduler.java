package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerStep;

import java.util.Set;

/**
 * diffusers' {@code DDPMScheduler} (Ho et al., Eq. 6-7): ancestral sampling from the posterior
 * q(x_prev | x_t, x0_hat), with strided schedules handled as diffusers does (beta_t := 1 -
 * alphā_t / alphā_prev). Written as a Gaussian policy:
 *
 * <pre>
 *   mean = sqrt(alphā_prev) beta_t / (1 - alphā_t) x0_hat + sqrt(alpha_t) (1 - alphā_prev) / (1 - alphā_t) x_t
 *   std  = sqrt(variance): fixed_small = (1 - alphā_prev) / (1 - alphā_t) beta_t (at least 1e-20),
 *          fixed_large = beta_t; 0 at t = 0, where diffusers adds no noise
 * </pre>
 *
 * eta is ignored: DDPM's variance is fixed. Past the end of the schedule alphā_prev is 1 (diffusers'
 * {@code one}; set_alpha_to_one is a DDIM option). Learned variances are not supported.
 */
public final class DdpmScheduler extends AbstractNoiseScheduler {

    /** fixed_small_log samples exactly like fixed_small in diffusers' step (it only stores the log). */
    private static final Set<String> VARIANCE_TYPES = Set.of("fixed_small", "fixed_small_log", "fixed_large");

    /** diffusers clamps the posterior variance here so that its log stays finite. */
    private static final double MIN_VARIANCE = 1e-20;

    public DdpmScheduler(SchedulerConfig config) {
        super(config);
        if (!VARIANCE_TYPES.contains(config.varianceType())) {
            throw new ConfigException("scheduler config: variance_type '" + config.varianceType()
                    + "' is not supported by DDPMScheduler; supported: " + String.join(", ", VARIANCE_TYPES.stream().sorted().toList()));
        }
    }

    @Override
    public int[] timesteps(int numInferenceSteps) {
        return TimestepSpacing.timesteps(config, numInferenceSteps);
    }

    /** The next entry of {@link #timesteps(int)}, or -1 after the last (diffusers' previous_timestep). */
    @Override
    public int previousTimestep(int timestep, int numInferenceSteps) {
        int[] ts = timesteps(numInferenceSteps);
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == timestep) {
                return i + 1 < ts.length ? ts[i + 1] : -1;
            }
        }
        throw new InvalidInputException("timestep " + timestep + " is not in the DDPM schedule of "
                + numInferenceSteps + " steps");
    }

    private double alphaCumprodPrev(int prevTimestep) {
        return prevTimestep >= 0 ? schedule.alphaCumprod(prevTimestep) : 1.0;
    }

    /** The variance of the step t -> prev under the configured variance_type (before the t = 0 rule). */
    public double variance(int timestep, int prevTimestep) {
        double at = schedule.alphaCumprod(timestep);
        double ap = alphaCumprodPrev(prevTimestep);
        double beta = 1 - at / ap;
        if (config.varianceType().equals("fixed_large")) {
            return beta;
        }
        return Math.max((1 - ap) / (1 - at) * beta, MIN_VARIANCE);
    }

    @Override
    public SchedulerStep step(NDArray modelOutput, int timestep, int prevTimestep, NDArray sample, double eta,
                              NDArray varianceNoise) {
        requireSameShape(sample, modelOutput, "step: modelOutput");
        double at = schedule.alphaCumprod(timestep);
        double ap = alphaCumprodPrev(prevTimestep);
        double alpha = at / ap;
        double beta = 1 - alpha;
        double x0Coeff = Math.sqrt(ap) * beta / (1 - at);
        double sampleCoeff = Math.sqrt(alpha) * (1 - ap) / (1 - at);
        NDArray x0 = predictOriginalSample(modelOutput, timestep, sample);
        NDArray eps = predictEpsilon(modelOutput, timestep, sample);
        NDArray mean = combine(x0, x0Coeff, sample, sampleCoeff);
        double std = timestep > 0 ? Math.sqrt(variance(timestep, prevTimestep)) : 0;
        return gaussianStep(sample, x0, eps, mean, std, varianceNoise);
    }
}
