package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.scheduler.Gaussian;

/**
 * One reverse step of the policy from x_t: the Gaussian pi(x_{t-1} | x_t, c) and the sample drawn
 * from it.
 *
 * @param next the sampled x_{t-1}
 * @param gaussian the step's distribution
 * @param x0 the prediction x0_hat(x_t) used in the step
 */
public record PolicyStep(NDArray next, Gaussian gaussian, NDArray x0) {}
