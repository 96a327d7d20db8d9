package dev.tailorpo.trainers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.trainers.methods.RewardGuidance;
import dev.tailorpo.trainers.methods.Rollouts;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The paper's Table 1 sanity check of reward guidance: for noisy samples reached by the policy at
 * each checked step, how often the step-wise reward rises under x+ = x + 2 eta delta grad r(x) and
 * falls under x- = x - 2 eta delta grad r(x). A sample "at step index i" is the state after the
 * policy's step i, scored at step index i + 1, as TailorPO ranks its candidates.
 *
 * @param eta the guidance step size (the paper's check: 0.2)
 * @param delta the target reward increase (0.5)
 * @param epsConstant whether the gradient treats the noise prediction as a constant
 */
public record GuidanceCheck(double eta, double delta, boolean epsConstant) {
    private static final long INITIAL = 1;
    private static final long STEP = 2;

    /** The counts at one checked step. */
    public record StepResult(int stepIndex, int timestep, int samples, int rises, int falls) {
        public double riseFraction() {
            return (double) rises / samples;
        }

        public double fallFraction() {
            return (double) falls / samples;
        }
    }

    /**
     * Runs the check on {@code n} samples per step: rollouts of the prompts (cycled, {@code batch}
     * at a time) from noise keyed by {@code seed}.
     */
    public List<StepResult> run(DiffusionPolicy policy, StepwiseReward reward, List<String> prompts, List<Integer> steps,
                                int n, int batch, long seed, NDManager manager) {
        TreeSet<Integer> checked = new TreeSet<>(steps);
        if (checked.isEmpty() || checked.first() < 0 || checked.last() >= policy.steps()) {
            throw new InvalidInputException("guidance check steps must lie in 0.." + (policy.steps() - 1) + ", got " + steps);
        }
        if (prompts.isEmpty() || n < 1 || batch < 1) {
            throw new InvalidInputException("guidance check needs prompts, n >= 1 and batch >= 1");
        }
        KeyedRandom random = new KeyedRandom(seed);
        int[] rises = new int[policy.steps()];
        int[] falls = new int[policy.steps()];
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            List<String> rows = new ArrayList<>();
            for (int j = 0; j < b; j++) {
                rows.add(prompts.get((start + j) % prompts.size()));
            }
            try (NDManager round = manager.newSubManager()) {
                Conditioning c = policy.encode(rows, round);
                long key = start;
                NDArray x0 = random.normal(round, new Shape(b).addAll(policy.sampleShape()), INITIAL, key);
                Rollouts.denoise(round, x0, checked.last() + 1, (scope, i, x) -> {
                    NDArray next = policy.step(c, x, i, random.normal(scope, x.getShape(), STEP, key, i)).next();
                    if (checked.contains(i)) {
                        count(reward, c, next, i + 1, rises, falls, i);
                    }
                    return next;
                });
            }
        }
        List<StepResult> out = new ArrayList<>();
        for (int i : checked) {
            out.add(new StepResult(i, policy.timestep(i), n, rises[i], falls[i]));
        }
        return out;
    }

    private void count(StepwiseReward reward, Conditioning c, NDArray x, int scoredAt, int[] rises, int[] falls, int i) {
        StepwiseReward.Gradient g = reward.gradient(c, x, scoredAt, epsConstant);
        float[] plus = reward.score(c, RewardGuidance.step(x, g.grad(), eta, delta, 1), scoredAt);
        float[] minus = reward.score(c, RewardGuidance.step(x, g.grad(), eta, delta, -1), scoredAt);
        for (int row = 0; row < plus.length; row++) {
            rises[i] += plus[row] > g.scores()[row] ? 1 : 0;
            falls[i] += minus[row] < g.scores()[row] ? 1 : 0;
        }
    }
}
