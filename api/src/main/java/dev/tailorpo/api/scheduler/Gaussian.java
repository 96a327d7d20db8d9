package dev.tailorpo.api.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * The Gaussian N(mean, std^2 I) of one reverse step: DDIM with eta > 0 and DDPM are Gaussian
 * policies over the next state, which is what lets preference methods compare the likelihood of
 * two sampled transitions.
 *
 * @param mean mu_theta(x_t), shape (B, ...)
 * @param std sigma_t, a 0-d array (or broadcastable to {@code mean})
 */
public record Gaussian(NDArray mean, NDArray std) {

    /** log N(x; mean, std^2), averaged over the non-batch elements; see {@link SchedulerStep#gaussianLogProb}. */
    public NDArray logProb(NDArray x) {
        return SchedulerStep.gaussianLogProb(x, mean, std);
    }

    /** mean + std * noise, for standard-normal {@code noise} of the mean's shape. */
    public NDArray sample(NDArray noise) {
        return mean.add(noise.mul(std));
    }
}
