package dev.tailorpo.trainers.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.tensor.Scalars;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.PolicyStep;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.PairObjective;

import java.util.ArrayList;
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
            trainSteps = Set.copyOf(new TreeSet<>(trainSteps));
        }

        /** Reads the settings of {@code tailorpo} / {@code tailorpo-g} (see their providers' defaults). */
        public static Settings from(MethodSettings s, boolean guidance) {
            return new Settings(new TreeSet<>(s.getIntList("train_steps")), guidance,
                    guidance ? s.getDouble("delta") : 0, guidance ? s.getDouble("eta_start") : 0,
                    guidance ? s.getDouble("eta_end") : 0, guidance && s.getBoolean("eps_constant"));
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
        int b = prompts.size();
        Shape shape = new Shape(b).addAll(policy.sampleShape());
        Conditioning c = policy.encode(prompts, keep);
        NDArray x = ctx.noise(keep, shape, INITIAL);
        List<PreferencePair> pairs = new ArrayList<>();
        List<Integer> trained = new ArrayList<>(new TreeSet<>(settings.trainSteps()));
        long accepted = 0;
        long guided = 0;
        for (int i = 0; i < policy.steps(); i++) {
            try (NDManager scope = keep.newSubManager()) {
                x.attach(scope);   // the old state is freed with the scope; pairs keep copies
                NDArray next;
                if (settings.trainSteps().contains(i)) {
                    PolicyStep step = policy.step(c, x, i, ctx.noise(scope, shape, CANDIDATE, i, 0));
                    NDArray[] cand = {step.next(), step.gaussian().sample(ctx.noise(scope, shape, CANDIDATE, i, 1))};
                    StepwiseReward sr = ctx.stepwiseReward();
                    float[][] r = {sr.score(c, cand[0], i + 1), sr.score(c, cand[1], i + 1)};
                    int[] winner = new int[b];
                    for (int row = 0; row < b; row++) {
                        winner[row] = r[1][row] > r[0][row] ? 1 : 0;
                    }
                    NDArray w = pick(cand, winner, 0);
                    NDArray l = pick(cand, winner, 1);
                    if (settings.guidance()) {
                        int k = trained.indexOf(i);
                        float[] rw = new float[b];
                        for (int row = 0; row < b; row++) {
                            rw[row] = r[winner[row]][row];
                        }
                        Guided g = guide(sr, c, w, rw, i + 1, settings.eta(k, trained.size()));
                        w = g.samples;
                        accepted += g.accepted;
                        guided += b;
                    }
                    for (int row = 0; row < b; row++) {
                        if (r[0][row] != r[1][row]) {          // a tie gives no pair
                            NDArray xt = keepRow(x, row, keep);
                            pairs.add(new PreferencePair(c.select(row), i, xt, keepRow(w, row, keep), xt,
                                    keepRow(l, row, keep)));
                        }
                    }
                    next = w;
                } else {
                    next = policy.step(c, x, i, ctx.noise(scope, shape, CANDIDATE, i, 0)).next();
                }
                next.attach(keep);
                x = next;
            }
        }
        if (settings.guidance() && guided > 0) {
            ctx.metric("tailorpo_g/accepted_fraction", (double) accepted / guided);
        }
        ctx.metric("pairs", pairs.size());
        float[] finals;
        try (NDManager scope = keep.newSubManager()) {
            NDArray images = policy.toImages(x);
            images.attach(scope);
            finals = ctx.reward().score(images, prompts);
        }
        return new Experience<>(pairs, finals);
    }

    @Override
    public NDArray loss(TrainingContext ctx, List<PreferencePair> minibatch) {
        return objective.loss(ctx, minibatch);
    }

    /** The guided preferred samples of one trained step and how many were accepted. */
    private record Guided(NDArray samples, int accepted) {}

    /**
     * x+ = x^w + 2 eta delta grad r(x^w): the step that lowers (r(x^w) + delta - r(x))^2 at x^w;
     * kept per row only where it raises the step-wise reward.
     */
    private Guided guide(StepwiseReward sr, Conditioning c, NDArray w, float[] rw, int stepIndex, double eta) {
        StepwiseReward.Gradient g = sr.gradient(c, w, stepIndex, settings.epsConstant());
        NDArray plus = w.add(Scalars.mul(g.grad(), 2 * eta * settings.delta()));
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
        return new Guided(pick(new NDArray[] {w, plus}, choose, 0), accepted);
    }

    /** Row-wise selection: row r comes from {@code options[choice[r] ^ flip]}. */
    private static NDArray pick(NDArray[] options, int[] choice, int flip) {
        ai.djl.ndarray.NDList rows = new ai.djl.ndarray.NDList();
        for (int r = 0; r < choice.length; r++) {
            rows.add(options[choice[r] ^ flip].get(r + ":" + (r + 1)));
        }
        return ai.djl.ndarray.NDArrays.concat(rows, 0);
    }

    /** One row (1, ...) copied into {@code keep}, to outlive the step's scope. */
    private static NDArray keepRow(NDArray x, int row, NDManager keep) {
        NDArray r = x.get(row + ":" + (row + 1)).duplicate();
        r.attach(keep);
        return r;
    }
}
