package dev.tailorpo.trainers.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.scheduler.Gaussian;
import dev.tailorpo.api.tensor.Tensors;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.DiffusionPolicy.Branch;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.TrainingContext;

import java.util.List;
import java.util.Map;

/**
 * The DPO objective over preference pairs, shared by every pairwise method (TailorPO, TailorPO-G,
 * SPO, D3PO). Pairs of one step index are evaluated in one batch; a pair whose two transitions share
 * x_t costs one network evaluation per branch, since both log-probabilities use the same Gaussian.
 *
 * <p>It also reports, per call, {@code dpo/preferred_fraction} (pairs whose policy-vs-reference
 * log-ratio already favours the winner), {@code dpo/log_ratio_preferred} and
 * {@code dpo/log_ratio_dispreferred} (means).
 */
public final class PairObjective {
    private final DpoLoss dpo;

    public PairObjective(DpoLoss dpo) {
        this.dpo = dpo;
    }

    public DpoLoss dpo() {
        return dpo;
    }

    /** The mean DPO loss of {@code pairs}, a 0-d array with the graph to the trainable weights. */
    public NDArray loss(TrainingContext ctx, List<PreferencePair> pairs) {
        DiffusionPolicy policy = ctx.policy();
        Map<Integer, List<PreferencePair>> byStep = Minibatches.byStep(pairs, PreferencePair::stepIndex);
        NDList losses = new NDList();
        double preferred = 0;
        double ratioW = 0;
        double ratioL = 0;
        for (Map.Entry<Integer, List<PreferencePair>> e : byStep.entrySet()) {
            LogProbs lp = logProbs(policy, e.getKey(), e.getValue(), ctx.scratch());
            NDArray ratioPreferred = lp.ratioPreferred();
            NDArray ratioDispreferred = lp.ratioDispreferred();
            losses.add(dpo.perPair(ratioPreferred, ratioDispreferred));
            float[] rw = ratioPreferred.toFloatArray();
            float[] rl = ratioDispreferred.toFloatArray();
            for (int i = 0; i < rw.length; i++) {
                preferred += rw[i] - rl[i] > 0 ? 1 : 0;
                ratioW += rw[i];
                ratioL += rl[i];
            }
        }
        int n = pairs.size();
        ctx.metric("dpo/preferred_fraction", preferred / n);
        ctx.metric("dpo/log_ratio_preferred", ratioW / n);
        ctx.metric("dpo/log_ratio_dispreferred", ratioL / n);
        return Tensors.concat(losses, 0).mean();
    }

    /** Log-probabilities of one step's pairs under the policy (with graph) and the reference. */
    public static LogProbs logProbs(DiffusionPolicy policy, int stepIndex, List<PreferencePair> pairs, NDManager scratch) {
        Conditioning c = Minibatches.conditions(pairs, PreferencePair::condition);
        NDArray w = Minibatches.stack(scratch, pairs, PreferencePair::preferred);
        NDArray l = Minibatches.stack(scratch, pairs, PreferencePair::dispreferred);
        NDArray fromW = Minibatches.stack(scratch, pairs, PreferencePair::fromPreferred);
        if (pairs.stream().allMatch(PreferencePair::sharesState)) {
            Gaussian pol = policy.transition(c, fromW, stepIndex, Branch.POLICY);
            Gaussian ref = policy.transition(c, fromW, stepIndex, Branch.REFERENCE);
            return new LogProbs(pol.logProb(w), ref.logProb(w), pol.logProb(l), ref.logProb(l));
        }
        // different starting states (D3PO): one batch of 2n transitions, winners first
        int n = pairs.size();
        NDArray from = fromW.concat(Minibatches.stack(scratch, pairs, PreferencePair::fromDispreferred), 0);
        Conditioning cc = c.concat(c);
        NDArray next = w.concat(l, 0);
        NDArray pol = policy.transition(cc, from, stepIndex, Branch.POLICY).logProb(next);
        NDArray ref = policy.transition(cc, from, stepIndex, Branch.REFERENCE).logProb(next);
        NDList polParts = pol.split(new long[] {n}, 0);
        NDList refParts = ref.split(new long[] {n}, 0);
        return new LogProbs(polParts.get(0), refParts.get(0), polParts.get(1), refParts.get(1));
    }

    /** log pi and log pi_ref of the preferred (w) and dispreferred (l) transitions, each (N). */
    public record LogProbs(NDArray policyW, NDArray referenceW, NDArray policyL, NDArray referenceL) {
        /** log pi(x^w) - log pi_ref(x^w), with the policy's graph. */
        public NDArray ratioPreferred() {
            return policyW.sub(referenceW);
        }

        /** log pi(x^l) - log pi_ref(x^l), with the policy's graph. */
        public NDArray ratioDispreferred() {
            return policyL.sub(referenceL);
        }
    }
}
