package dev.tailorpo.trainers.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.PairObjective;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * TailorPO (paper Algorithm 1) and, with guidance on, TailorPO-G (Section 3.4): at each trained step
 * two candidates are drawn from the same x_t, ranked by the step-wise reward at the next timestep,
 * the winner continues and the pair is trained with the DPO loss. TailorPO-G then pushes the winner
 * up the reward gradient, x+ = x^w + 2 eta_t delta grad r_t(x^w), and keeps x+ (as the preferred
 * sample and the one that continues) only where its step-wise reward is higher.
 */
public final class TailorPO implements TrainingMethod<PreferencePair> {
    /** Key spaces of the method's random draws. */
    private static final long INITIAL = 1;
    private static final long CANDIDATE = 2;

    private final Settings settings;
    private final PairObjective objective;

    /**
     * The method's rules as configured.
     *
     * @param trainSteps the step indices trained on (0 = noisiest)
     * @param guidance whether to use TailorPO-G's guided preferred sample
     * @param delta the target reward increase of the guidance
     * @param etaStart the guidance step size at the noisiest trained step
     * @param etaEnd the guidance step size at the cleanest trained step (cosine in between)
     * @param epsConstant whether the guidance gradient treats the noise prediction as a constant
     */
    public record Settings(Set<Integer> trainSteps, boolean guidance, double delta, double etaStart, double etaEnd,
                           boolean epsConstant) {
        public Settings {
            trainSteps = Collections.unmodifiableSortedSet(new TreeSet<>(trainSteps));   // noisiest first
        }

        /** Reads the settings of {@code tailorpo} / {@code tailorpo-g} (see their providers' defaults). */
        public static Settings from(MethodSettings s, boolean guidance) {
            return new Settings(new TreeSet<>(s.getIntList("train_steps")), guidance,
                    guidance ? s.getDouble("delta") : 0, guidance ? s.getDouble("eta_start") : 0,
                    guidance ? s.getDouble("eta_end") : 0, guidance && s.getBoolean("eps_constant"));
        }

        /** eta_t at trained step index {@code step}: its rank among the trained steps on the cosine ramp. */
        public double etaAt(int step) {
            return eta((int) trainSteps.stream().filter(s -> s < step).count(), trainSteps.size());
        }

        /** eta_t of the k-th of n trained steps (k = 0 noisiest): a cosine ramp from etaStart to etaEnd. */
        public double eta(int k, int n) {
            if (n <= 1) {
                return etaStart;
            }
            double progress = (1 - Math.cos(Math.PI * k / (n - 1))) / 2;
            return etaStart + (etaEnd - etaStart) * progress;
        }
    }

    public TailorPO(Settings settings, DpoLoss loss) {
        this.settings = settings;
        this.objective = new PairObjective(loss);
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public Experience<PreferencePair> collect(TrainingContext ctx, List<String> prompts) {
        DiffusionPolicy policy = ctx.policy();
        for (int s : settings.trainSteps()) {
            if (s < 0 || s >= policy.steps()) {
                throw new ConfigException("train_steps holds " + s + ", outside the " + policy.steps() + " sampling steps");
            }
        }
        NDManager keep = ctx.manager();
        Conditioning c = policy.encode(prompts, keep);
        Round round = new Round();
        NDArray x0 = ctx.noise(keep, Rollouts.batchShape(policy, prompts.size()), INITIAL);
        NDArray x = Rollouts.denoise(ctx, x0, (scope, i, xt) -> settings.trainSteps().contains(i)
                ? trainedStep(ctx, c, xt, i, scope, round)
                : Rollouts.candidates(ctx, c, xt, i, 1, scope, CANDIDATE)[0]);
        if (settings.guidance() && round.guided > 0) {
            ctx.metric("tailorpo_g/accepted_fraction", (double) round.accepted / round.guided);
        }
        ctx.metric("pairs", round.pairs.size());
        return new Experience<>(round.pairs, Rollouts.finalRewards(ctx, x, prompts));
    }

    /** What the trained steps of one rollout produced. */
    private static final class Round {
        final List<PreferencePair> pairs = new ArrayList<>();
        long accepted;
        long guided;
    }

    /**
     * A trained step: two candidates from x, ranked by the step-wise reward at the next step (with
     * TailorPO-G's guided winner); records the pairs and returns the winners, which continue.
     */
    private NDArray trainedStep(TrainingContext ctx, Conditioning c, NDArray x, int i, NDManager scope, Round round) {
        NDManager keep = ctx.manager();
        int b = c.size();
        NDArray[] cand = Rollouts.candidates(ctx, c, x, i, 2, scope, CANDIDATE);
        StepwiseReward sr = ctx.stepwiseReward();
        float[][] r = {sr.score(c, cand[0], i + 1), sr.score(c, cand[1], i + 1)};
        int[] winner = new int[b];
        int[] loser = new int[b];
        for (int row = 0; row < b; row++) {
            winner[row] = r[1][row] > r[0][row] ? 1 : 0;
            loser[row] = 1 - winner[row];
        }
        NDArray w = Rollouts.pick(cand, winner);
        NDArray l = Rollouts.pick(cand, loser);
        if (settings.guidance()) {
            float[] rw = new float[b];
            for (int row = 0; row < b; row++) {
                rw[row] = r[winner[row]][row];
            }
            Guided g = guide(sr, c, w, rw, i + 1, settings.etaAt(i));
            w = g.samples;
            round.accepted += g.accepted;
            round.guided += b;
        }
        for (int row = 0; row < b; row++) {
            if (r[0][row] != r[1][row]) {          // a tie gives no pair
                NDArray xt = Rollouts.keepRow(x, row, keep);
                round.pairs.add(new PreferencePair(c.select(row), i, xt, Rollouts.keepRow(w, row, keep), xt,
                        Rollouts.keepRow(l, row, keep)));
            }
        }
        return w;
    }

    @Override
    public NDArray loss(TrainingContext ctx, List<PreferencePair> minibatch) {
        return objective.loss(ctx, minibatch);
    }

    /** The guided preferred samples of one trained step and how many were accepted. */
    private record Guided(NDArray samples, int accepted) {}

    /** x+ of {@link RewardGuidance}, kept per row only where it raises the step-wise reward. */
    private Guided guide(StepwiseReward sr, Conditioning c, NDArray w, float[] rw, int stepIndex, double eta) {
        StepwiseReward.Gradient g = sr.gradient(c, w, stepIndex, settings.epsConstant());
        NDArray plus = RewardGuidance.step(w, g.grad(), eta, settings.delta(), 1);
        float[] rPlus = sr.score(c, plus, stepIndex);
        int b = rw.length;
        int[] choose = new int[b];
        int accepted = 0;
        for (int row = 0; row < b; row++) {
            if (rPlus[row] > rw[row]) {
                choose[row] = 1;
                accepted++;
            }
        }
        return new Guided(Rollouts.pick(new NDArray[] {w, plus}, choose), accepted);
    }
}
