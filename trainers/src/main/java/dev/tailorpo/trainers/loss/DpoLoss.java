package dev.tailorpo.trainers.loss;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The DPO loss on pairs of transitions (TailorPO paper Eq. 10, D3PO's form):
 *
 * <pre>
 *   ratio_w = log pi(x^w) - log pi_ref(x^w),   ratio_l likewise
 *   L = -log sigmoid(beta * c(ratio_w) - beta * c(ratio_l))
 * </pre>
 *
 * where c clamps exp(ratio) into [1 - epsClip, 1 + epsClip] (as the D3PO code the paper reuses), i.e.
 * clamps the log-ratio into [log(1 - epsClip), log(1 + epsClip)]: a ratio that has left the band gets
 * no gradient. With epsClip = 0 there is no clamp.
 *
 * @param beta the KL strength
 * @param epsClip the ratio clamp half-width, or 0 for none
 */
public record DpoLoss(double beta, double epsClip) {
    public DpoLoss {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be > 0, got " + beta);
        }
        if (!(epsClip >= 0 && epsClip < 1)) {
            throw new IllegalArgumentException("eps_clip must be in [0, 1), got " + epsClip);
        }
    }

    /**
     * The per-pair losses, shape (N).
     *
     * @param policyPreferred log pi_theta(x^w), shape (N), with graph
     * @param referencePreferred log pi_ref(x^w), shape (N), constant
     * @param policyDispreferred log pi_theta(x^l)
     * @param referenceDispreferred log pi_ref(x^l)
     */
    public NDArray perPair(NDArray policyPreferred, NDArray referencePreferred,
                           NDArray policyDispreferred, NDArray referenceDispreferred) {
        return perPair(policyPreferred.sub(referencePreferred), policyDispreferred.sub(referenceDispreferred));
    }

    /**
     * The per-pair losses from the log-ratios, shape (N).
     *
     * @param logRatioPreferred log pi_theta(x^w) - log pi_ref(x^w), shape (N), with graph
     * @param logRatioDispreferred log pi_theta(x^l) - log pi_ref(x^l)
     */
    public NDArray perPair(NDArray logRatioPreferred, NDArray logRatioDispreferred) {
        NDArray w = clamp(logRatioPreferred);
        NDArray l = clamp(logRatioDispreferred);
        // -log sigmoid(z) = softplus(-z), stable for large |z|
        return Activation.softPlus(Scalars.mul(w.sub(l), -beta));
    }

    /** The mean loss over the pairs, a 0-d array. */
    public NDArray mean(NDArray policyPreferred, NDArray referencePreferred,
                        NDArray policyDispreferred, NDArray referenceDispreferred) {
        return perPair(policyPreferred, referencePreferred, policyDispreferred, referenceDispreferred).mean();
    }

    private NDArray clamp(NDArray logRatio) {
        if (epsClip == 0) {
            return logRatio;
        }
        return logRatio.clip(Math.log(1 - epsClip), Math.log(1 + epsClip));
    }
}
