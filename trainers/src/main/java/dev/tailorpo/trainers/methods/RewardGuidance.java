package dev.tailorpo.trainers.methods;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.tensor.Scalars;

/**
 * TailorPO-G's reward-gradient step (paper Eq. 13-14): with the target r(x) + delta, one gradient
 * step of size eta on (r(x) + delta - r)^2 at x gives x+ = x + 2 eta delta grad r(x); the mirrored
 * x- = x - 2 eta delta grad r(x) is what the paper's Table 1 checks for a falling reward.
 */
public final class RewardGuidance {
    private RewardGuidance() {}

    /** x + sign * 2 eta delta grad (sign +1 for x+, -1 for x-). */
    public static NDArray step(NDArray x, NDArray grad, double eta, double delta, int sign) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign must be +1 or -1, got " + sign);
        }
        return x.add(Scalars.mul(grad, sign * 2 * eta * delta));
    }
}
