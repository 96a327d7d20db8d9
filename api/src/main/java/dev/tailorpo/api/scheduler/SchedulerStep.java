package dev.tailorpo.api.scheduler;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The result of one reverse step, seen as a Gaussian policy
 * pi(x_{t-1} | x_t) = N(mean, std^2 I).
 *
 * @param prevSample the sampled x_{t-1} (the {@code mean} itself, possibly the same array, when no
 *     noise was given or std is 0); it stays in the autograd graph, so detach it before using it as
 *     the sample in a log-prob
 * @param predOriginalSample x0_hat
 * @param predEpsilon the noise estimate used in the step
 * @param mean the Gaussian mean mu_theta
 * @param std sigma_t as a 0-d array: the policy's std whether or not noise was drawn (0 for DDIM
 *     at eta 0), so that a step recomputed without noise still gives log-probs of stored samples
 */
public record SchedulerStep(NDArray prevSample, NDArray predOriginalSample, NDArray predEpsilon, NDArray mean,
                            NDArray std) {

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    /**
     * log pi(x | x_t) under this step's Gaussian: the elementwise log-density averaged over every
     * non-batch element (the mean, as DDPO, D3PO and SPO take it), shape {@code (B)}. The gradient
     * flows through {@code mean} (and {@code std} when it depends on parameters); pass a detached
     * {@code x}.
     */
    public NDArray logProb(NDArray x) {
        return gaussianLogProb(x, mean, std);
    }

    /** The same log-density for any mean and std; see {@link #logProb(NDArray)}. */
    public static NDArray gaussianLogProb(NDArray x, NDArray mean, NDArray std) {
        long batch = x.getShape().get(0);
        // Ops are called on mean, the caller's per-step activation: x is often a stored sample and
        // std a value kept with it, both in long-lived managers that must not collect temporaries.
        NDArray z = mean.sub(x).div(std);
        NDArray logStd = std.log();
        logStd.attach(z.getManager());
        NDArray perElement = Scalars.mul(z.square(), -0.5).sub(logStd).sub(LOG_SQRT_2PI);
        return perElement.reshape(batch, -1).mean(new int[] {1});
    }
}
