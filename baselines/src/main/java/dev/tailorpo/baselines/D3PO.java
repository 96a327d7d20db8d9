package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.PairObjective;
import dev.tailorpo.trainers.methods.Rollouts;

import java.util.ArrayList;
import java.util.List;

/**
 * D3PO (Yang et al., "Using Human Feedback to Fine-tune Diffusion Models without Any Reward Model",
 * CVPR 2024; public code github.com/yk7333/d3po), the baseline of ALGORITHMS.md: per prompt, two
 * trajectories start from the same x_T and denoise with independent per-step noise; the reward of
 * their two final images ranks them, and every step's transition of the winning trajectory is
 * preferred over the same step's transition of the losing one. The two transitions of a pair start
 * from different x_t (the mismatch TailorPO removes). All T steps are trained with the clamped DPO
 * loss; the engine shuffles the samples, so the time order is random and minibatches mix steps.
 * Equal final rewards give no pairs. The rewards of all 2B final images are reported.
 */
public final class D3PO implements TrainingMethod<PreferencePair> {
    /** Key spaces of the method's random draws. */
    private static final long INITIAL = 1;
    private static final long NOISE = 2;

    private final PairObjective objective;

    public D3PO(DpoLoss loss) {
        this.objective = new PairObjective(loss);
    }

    /**
     * The pairs come prompt by prompt, each prompt's in step order (the engine shuffles them). Rows
     * 0..B-1 of the final rewards are the first trajectories of the prompts, rows B..2B-1 the second.
     */
    @Override
    public Experience<PreferencePair> collect(TrainingContext ctx, List<String> prompts) {
        DiffusionPolicy policy = ctx.policy();
        NDManager keep = ctx.manager();
        int b = prompts.size();
        int steps = policy.steps();
        Shape half = Rollouts.batchShape(policy, b);
        Conditioning c = policy.encode(prompts, keep);
        Conditioning both = c.concat(c);
        NDArray xT = ctx.noise(keep, half, INITIAL);
        NDArray x = xT.concat(xT, 0);
        // states[i][row]: x at step index i of trajectory row (row r and r + B share the prompt r)
        NDArray[][] states = new NDArray[steps + 1][];
        states[0] = Rollouts.keepRows(x, keep);
        x = Rollouts.denoise(ctx, x, (scope, i, xt) -> {
            NDArray noise = ctx.noise(scope, half, NOISE, i, 0).concat(ctx.noise(scope, half, NOISE, i, 1), 0);
            NDArray next = policy.step(both, xt, i, noise).next();
            states[i + 1] = Rollouts.keepRows(next, keep);
            return next;
        });
        float[] finals = Rollouts.finalRewards(ctx, x, both.prompts());
        float[] preference = Rollouts.preferences(ctx, finals);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            if (preference[r] == preference[r + b]) {
                continue;                                   // a tie gives no pair
            }
            int w = preference[r] > preference[r + b] ? r : r + b;
            int l = w == r ? r + b : r;
            Conditioning row = c.select(r);
            for (int i = 0; i < steps; i++) {
                pairs.add(new PreferencePair(row, i, states[i][w], states[i + 1][w], states[i][l], states[i + 1][l]));
            }
        }
        ctx.metric("pairs", pairs.size());
        return new Experience<>(pairs, finals);
    }

    @Override
    public NDArray loss(TrainingContext ctx, List<PreferencePair> minibatch) {
        return objective.loss(ctx, minibatch);
    }
}
