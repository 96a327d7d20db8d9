package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.Minibatches;
import dev.tailorpo.trainers.loss.PairObjective;
import dev.tailorpo.trainers.methods.Rollouts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * SPO, step-aware preference optimization (Liang et al., "Step-aware Preference Optimization:
 * Aligning Preference with Denoising Performance at Each Step", 2024; public code
 * github.com/RockeyCoss/SPO, {@code multi_sample_pipeline} and {@code preference_score_compare}),
 * the baseline of ALGORITHMS.md: up to {@code divert_start_step} the policy samples plainly; from
 * there on, at every trained step, k candidates are drawn from the shared x_t and scored by the
 * step-wise reward at the next step (SPO's time-conditioned preference model is a reward plugin
 * slot); the best and the worst form a pair, kept only where
 * softmax([s_w, s_l])[0] - softmax([s_w, s_l])[1] = tanh((s_w - s_l) / 2) exceeds the threshold;
 * the rollout then continues from a uniformly random candidate, not the winner. Loss: the clamped
 * DPO loss of TailorPO with SPO's beta.
 */
public final class SPO implements TrainingMethod<PreferencePair> {
    /** Key spaces of the method's random draws. */
    private static final long INITIAL = 1;
    private static final long CANDIDATE = 2;
    private static final long CONTINUE = 3;

    private final Settings settings;
    private final PairObjective objective;

    /**
     * The method's rules as configured.
     *
     * @param divertStartStep the first step index with candidates (SPO's {@code divert_start_step})
     * @param candidates k, the candidates drawn per step (SPO's {@code num_sample_each_step})
     * @param threshold the minimum softmax margin of a kept pair
     * @param trainSteps the step indices trained on; empty means every step from divertStartStep on
     */
    public record Settings(int divertStartStep, int candidates, double threshold, Set<Integer> trainSteps) {
        public Settings {
            if (divertStartStep < 0 || candidates < 2 || !(threshold >= 0 && threshold < 1)) {
                throw new ConfigException("trainer 'spo': divert_start_step must be >= 0, candidates >= 2 and threshold"
                        + " in [0, 1), got " + divertStartStep + ", " + candidates + ", " + threshold);
            }
            for (int s : trainSteps) {
                if (s < divertStartStep) {
                    throw new ConfigException("trainer 'spo': train_steps holds " + s + ", before divert_start_step "
                            + divertStartStep);
                }
            }
            trainSteps = Collections.unmodifiableSet(new TreeSet<>(trainSteps));
        }

        /** Reads the settings of {@code spo} (see its provider's defaults). */
        public static Settings from(MethodSettings s) {
            return new Settings(s.getInt("divert_start_step"), s.getInt("candidates"), s.getDouble("threshold"),
                    new TreeSet<>(s.getIntList("train_steps")));
        }

        /** Whether step index i gets candidates and a pair. */
        public boolean trains(int stepIndex) {
            return trainSteps.isEmpty() ? stepIndex >= divertStartStep : trainSteps.contains(stepIndex);
        }
    }

    public SPO(Settings settings, DpoLoss loss) {
        this.settings = settings;
        this.objective = new PairObjective(loss);
    }

    /** softmax([best, worst])[0] - softmax([best, worst])[1], SPO's confidence that best beats worst. */
    public static double margin(double best, double worst) {
        return Math.tanh((best - worst) / 2);
    }

    @Override
    public Experience<PreferencePair> collect(TrainingContext ctx, List<String> prompts) {
        DiffusionPolicy policy = ctx.policy();
        if (settings.divertStartStep() >= policy.steps()
                || settings.trainSteps().stream().anyMatch(s -> s >= policy.steps())) {
            throw new ConfigException("trainer 'spo': divert_start_step " + settings.divertStartStep() + " or train_steps "
                    + settings.trainSteps() + " outside the " + policy.steps() + " sampling steps");
        }
        NDManager keep = ctx.manager();
        Conditioning c = policy.encode(prompts, keep);
        Conditioning[] rows = new Conditioning[prompts.size()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = c.select(r);
        }
        Conditioning repeated = Minibatches.conditions(Collections.nCopies(settings.candidates(), c), Function.identity());
        List<PreferencePair> pairs = new ArrayList<>();
        NDArray x0 = ctx.noise(keep, Rollouts.batchShape(policy, prompts.size()), INITIAL);
        NDArray x = Rollouts.denoise(ctx, x0, (scope, i, xt) -> settings.trains(i)
                ? divertedStep(ctx, c, repeated, rows, xt, i, scope, pairs)
                : Rollouts.candidates(ctx, c, xt, i, 1, scope, CANDIDATE)[0]);
        long trained = IntStream.range(0, policy.steps()).filter(settings::trains).count();
        ctx.metric("pairs", pairs.size());
        ctx.metric("spo/kept_fraction", (double) pairs.size() / (trained * prompts.size()));
        return new Experience<>(pairs, Rollouts.finalRewards(ctx, x, prompts));
    }

    /**
     * k candidates from x, scored in one batch at the next step; best vs worst recorded where the
     * margin exceeds the threshold; returns a uniformly random candidate per row.
     */
    private NDArray divertedStep(TrainingContext ctx, Conditioning c, Conditioning repeated, Conditioning[] rows,
                                 NDArray x, int i, NDManager scope, List<PreferencePair> pairs) {
        int k = settings.candidates();
        int b = rows.length;
        NDArray[] cand = Rollouts.candidates(ctx, c, x, i, k, scope, CANDIDATE);
        float[] s = ctx.stepwiseReward().score(repeated, NDArrays.concat(new NDList(cand), 0), i + 1);   // s[j * b + row]
        SplittableRandom random = ctx.random(CONTINUE, i);
        int[] next = new int[b];
        for (int row = 0; row < b; row++) {
            int best = 0;
            int worst = 0;
            for (int j = 1; j < k; j++) {
                best = s[j * b + row] > s[best * b + row] ? j : best;
                worst = s[j * b + row] < s[worst * b + row] ? j : worst;
            }
            if (margin(s[best * b + row], s[worst * b + row]) > settings.threshold()) {
                NDManager keep = ctx.manager();
                NDArray xt = Rollouts.keepRow(x, row, keep);
                pairs.add(new PreferencePair(rows[row], i, xt, Rollouts.keepRow(cand[best], row, keep), xt,
                        Rollouts.keepRow(cand[worst], row, keep)));
            }
            next[row] = random.nextInt(k);
        }
        return Rollouts.pick(cand, next);
    }

    @Override
    public NDArray loss(TrainingContext ctx, List<PreferencePair> minibatch) {
        return objective.loss(ctx, minibatch);
    }
}
