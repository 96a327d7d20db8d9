package dev.tailorpo.benchmarks.controls;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.baselines.BaselineProviders;
import dev.tailorpo.baselines.DDPO;
import dev.tailorpo.baselines.DDPO.Transition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The null control of a DDPO study: DDPO exactly, except that each iteration's advantages are
 * permuted across its trajectories (every step of a trajectory keeps one advantage, the one of
 * another trajectory of the batch). The rollouts, the advantages' distribution, the PPO loss and
 * the optimizer are DDPO's, but the advantages no longer say anything about the images, so
 * whatever this run changes in the model is what DDPO's updates do without a signal. A DDPO run
 * that moves the reward no further than this control has not learned from its reward.
 *
 * <p>Registered as trainer {@code ddpo-shuffled} on the benchmarks classpath only (not in the
 * product): run {@code tailor train} through {@code dev.tailorpo.eval.cli.Main} with
 * {@code benchmarks/target/classes} and {@code benchmarks/target/lib/*} on the classpath.
 */
public final class ShuffledAdvantageDDPO implements TrainingMethod<Transition> {
    /** Key space of the permutation's draw (the context is already keyed by the iteration). */
    private static final long PERMUTATION = 101;

    private final DDPO ddpo;

    public ShuffledAdvantageDDPO(DDPO ddpo) {
        this.ddpo = ddpo;
    }

    @Override
    public Experience<Transition> collect(TrainingContext ctx, List<String> prompts) {
        Experience<Transition> exp = ddpo.collect(ctx, prompts);
        // DDPO lists each trajectory's steps in order, from step 0: a step 0 starts the next one
        List<List<Transition>> trajectories = new ArrayList<>();
        for (Transition t : exp.samples()) {
            if (t.stepIndex() == 0) {
                trajectories.add(new ArrayList<>());
            }
            trajectories.get(trajectories.size() - 1).add(t);
        }
        int[] source = permutation(trajectories.size(), ctx.random(PERMUTATION));
        List<Transition> out = new ArrayList<>(exp.samples().size());
        for (int k = 0; k < trajectories.size(); k++) {
            float advantage = trajectories.get(source[k]).get(0).advantage();
            for (Transition t : trajectories.get(k)) {
                out.add(new Transition(t.condition(), t.stepIndex(), t.from(), t.next(), t.oldLogProb(), advantage));
            }
        }
        return new Experience<>(out, exp.finalRewards());
    }

    /** A uniform random permutation of 0 .. n-1 (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = p[i];
            p[i] = p[j];
            p[j] = swap;
        }
        return p;
    }

    @Override
    public NDArray loss(TrainingContext ctx, List<Transition> minibatch) {
        return ddpo.loss(ctx, minibatch);
    }

    @Override
    public Map<String, Object> state() {
        return ddpo.state();
    }

    @Override
    public void restoreState(Map<String, Object> state) {
        ddpo.restoreState(state);
    }

    /** {@code ddpo-shuffled}: DDPO's settings and defaults. */
    public static final class Provider implements TrainerProvider {
        private final BaselineProviders.Ddpo ddpo = new BaselineProviders.Ddpo();

        @Override
        public String id() {
            return "ddpo-shuffled";
        }

        @Override
        public String description() {
            return "control: DDPO with each iteration's advantages permuted across its trajectories";
        }

        @Override
        public Map<String, Object> defaults() {
            return ddpo.defaults();
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new ShuffledAdvantageDDPO((DDPO) ddpo.create(settings));
        }
    }
}
