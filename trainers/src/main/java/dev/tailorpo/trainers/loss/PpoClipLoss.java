package dev.tailorpo.trainers.loss;

import ai.djl.ndarray.NDArray;

/**
 * PPO's clipped surrogate as DDPO applies it to per-step log-probabilities:
 *
 * <pre>
 *   A = clip(advantage, -advClip, advClip),   ratio = exp(log pi(x) - log pi_old(x))
 *   L = mean(max(-A * ratio, -A * clip(ratio, 1 - clipRange, 1 + clipRange)))
 * </pre>
 *
 * @param clipRange the ratio clip (DDPO: 1e-4)
 * @param advantageClip the advantage clip (DDPO: 5)
 */
public record PpoClipLoss(double clipRange, double advantageClip) {
    public PpoClipLoss {
        if (!(clipRange > 0) || !(advantageClip > 0)) {
            throw new IllegalArgumentException("clip_range and adv_clip_max must be > 0, got " + clipRange + ", " + advantageClip);
        }
    }

    /**
     * The mean loss, a 0-d array.
     *
     * @param logProb log pi_theta of the sampled transitions, shape (N), with graph
     * @param oldLogProb their log-probs when sampled, shape (N), constant
     * @param advantages shape (N), constant
     */
    public NDArray mean(NDArray logProb, NDArray oldLogProb, NDArray advantages) {
        NDArray a = advantages.clip(-advantageClip, advantageClip);
        NDArray ratio = logProb.sub(oldLogProb).exp();
        NDArray unclipped = ratio.mul(a).neg();
        NDArray clipped = ratio.clip(1 - clipRange, 1 + clipRange).mul(a).neg();
        return unclipped.maximum(clipped).mean();
    }
}
