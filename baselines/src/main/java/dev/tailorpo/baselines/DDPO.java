package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.tensor.Tensors;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.DiffusionPolicy.Branch;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.PolicyStep;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.Minibatches;
import dev.tailorpo.trainers.loss.PpoClipLoss;
import dev.tailorpo.trainers.methods.Rollouts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DDPO with importance sampling and clipping, DDPO_IS (Black et al., "Training Diffusion Models with
 * Reinforcement Learning", ICLR 2024; public code github.com/kvablack/ddpo-pytorch), the baseline of
 * ALGORITHMS.md: ordinary rollouts of the policy, {@code imagesPerPrompt} per prompt (each with its
 * own x_T and noise), store every step's transition with its log-probability under the sampling
 * policy; the final reward, normalised per prompt by the {@link PerPromptStatTracker}, is the
 * advantage of all the trajectory's steps; the loss is PPO's clipped surrogate on the per-step
 * ratio pi_theta / pi_old, with the advantage clipped to +-adv_clip_max ({@link PpoClipLoss}).
 *
 * <p>Several images per prompt per iteration give the per-prompt statistics something to average
 * even early on (ddpo-pytorch draws 256 images per epoch over a few dozen prompts); the default of
 * 4 per prompt makes an iteration of the paper's 2 prompts 8 images. The tracker's buffers are the
 * method's checkpointed state.
 *
 * <p>The ratio leaves 1, and the clip can bind, only from an iteration's second optimizer step on
 * ({@code engine.updates_per_iteration}, as ddpo-pytorch's several steps per batch of rollouts):
 * the first group of samples is evaluated by the policy that sampled it. The
 * {@code ppo/clip_fraction} metric shows how often it binds.
 */
public final class DDPO implements TrainingMethod<DDPO.Transition> {
    /** Key spaces of the method's random draws. */
    private static final long INITIAL = 1;
    private static final long NOISE = 2;

    private final int imagesPerPrompt;
    private final PpoClipLoss ppo;
    private final PerPromptStatTracker tracker;

    /**
     * One step of a rollout, DDPO's training sample.
     *
     * @param condition the prompt's conditioning (one row)
     * @param stepIndex the step index
     * @param from x_t, shape (1, ...)
     * @param next the sampled x_{t-1}
     * @param oldLogProb log pi(next | from, c) under the policy that sampled it
     * @param advantage the trajectory's normalised reward (not yet clipped)
     */
    public record Transition(Conditioning condition, int stepIndex, NDArray from, NDArray next, float oldLogProb,
                             float advantage) {}

    public DDPO(int imagesPerPrompt, PpoClipLoss ppo, PerPromptStatTracker tracker) {
        if (imagesPerPrompt < 1) {
            throw new ConfigException("trainer 'ddpo': images_per_prompt must be >= 1, got " + imagesPerPrompt);
        }
        this.imagesPerPrompt = imagesPerPrompt;
        this.ppo = ppo;
        this.tracker = tracker;
    }

    /**
     * Rows are prompt-major (row p * imagesPerPrompt + j is image j of prompt p), in the final
     * rewards as in the samples, which come row by row, each row's steps in order.
     */
    @Override
    public Experience<Transition> collect(TrainingContext ctx, List<String> prompts) {
        DiffusionPolicy policy = ctx.policy();
        NDManager keep = ctx.manager();
        int n = prompts.size() * imagesPerPrompt;
        int steps = policy.steps();
        int[] promptOf = new int[n];
        for (int row = 0; row < n; row++) {
            promptOf[row] = row / imagesPerPrompt;
        }
        Conditioning encoded = policy.encode(prompts, keep);
        Conditioning c = encoded.select(promptOf);
        Conditioning[] rows = new Conditioning[prompts.size()];
        for (int p = 0; p < rows.length; p++) {
            rows[p] = encoded.select(p);
        }
        NDArray x = ctx.noise(keep, Rollouts.batchShape(policy, n), INITIAL);
        NDArray[][] states = new NDArray[steps + 1][];
        float[][] logProbs = new float[steps][];
        states[0] = Rollouts.keepRows(x, keep);
        x = Rollouts.denoise(ctx, x, (scope, i, xt) -> {
            PolicyStep s = policy.step(c, xt, i, ctx.noise(scope, xt.getShape(), NOISE, i));
            logProbs[i] = s.gaussian().logProb(s.next()).toFloatArray();
            states[i + 1] = Rollouts.keepRows(s.next(), keep);
            return s.next();
        });
        float[] finals = Rollouts.finalRewards(ctx, x, c.prompts());
        float[] advantages = tracker.update(c.prompts(), Rollouts.preferences(ctx, finals));
        List<Transition> samples = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            for (int i = 0; i < steps; i++) {
                samples.add(new Transition(rows[promptOf[row]], i, states[i][row], states[i + 1][row], logProbs[i][row],
                        advantages[row]));
            }
        }
        return new Experience<>(samples, finals);
    }

    /** PPO's clipped surrogate over the minibatch, new log-probs from the policy in one batch per step index. */
    @Override
    public NDArray loss(TrainingContext ctx, List<Transition> minibatch) {
        NDManager scratch = ctx.scratch();
        NDList logProbs = new NDList();
        List<Transition> ordered = new ArrayList<>();
        for (Map.Entry<Integer, List<Transition>> e : Minibatches.byStep(minibatch, Transition::stepIndex).entrySet()) {
            List<Transition> group = e.getValue();
            Conditioning c = Minibatches.conditions(group, Transition::condition);
            NDArray from = Minibatches.stack(scratch, group, Transition::from);
            NDArray next = Minibatches.stack(scratch, group, Transition::next);
            logProbs.add(ctx.policy().transition(c, from, e.getKey(), Branch.POLICY).logProb(next));
            ordered.addAll(group);
        }
        float[] old = new float[ordered.size()];
        float[] advantages = new float[ordered.size()];
        for (int i = 0; i < old.length; i++) {
            old[i] = ordered.get(i).oldLogProb();
            advantages[i] = ordered.get(i).advantage();
        }
        NDArray logProb = Tensors.concat(logProbs, 0);
        float[] now = logProb.toFloatArray();
        int clipped = 0;
        for (int i = 0; i < now.length; i++) {
            clipped += Math.abs(Math.exp(now[i] - old[i]) - 1) > ppo.clipRange() ? 1 : 0;
        }
        ctx.metric("ppo/clip_fraction", (double) clipped / now.length);
        return ppo.mean(logProb, scratch.create(old), scratch.create(advantages));
    }

    /** The tracker's per-prompt reward buffers. */
    @Override
    public Map<String, Object> state() {
        return tracker.state();
    }

    @Override
    public void restoreState(Map<String, Object> state) {
        tracker.restore(state);
    }
}
