package dev.tailorpo.trainers.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.trainers.methods.Rollouts;

import java.util.ArrayList;
import java.util.List;

/**
 * The statistic behind the paper's Fig. 2 (preference-order consistency): D3PO labels every step of
 * two trajectories by the order of their final rewards, although the two trajectories started
 * from the same x_T and went apart step by step. This measures how often the order of the two
 * intermediate states by the step-wise reward agrees with the order of the final rewards, per
 * step, over many pairs.
 *
 * <p>Each pair: one prompt, one x_T, two trajectories with independent step noise (as D3PO samples
 * them). The state "at step index i" is the state after the policy's step i, scored by the
 * step-wise reward at step index i + 1 (as {@link GuidanceCheck} and TailorPO's ranking do); at
 * i = T - 1 that is the final sample, scored directly. A pair whose final rewards tie has no order
 * and is left out; a step-wise tie against a final order counts as a disagreement (it failed to
 * order the pair). So with a step-wise reward that scores final samples with the final reward, the
 * last step agrees in every pair.
 */
public final class OrderConsistency {
    private static final long INITIAL = 1;
    private static final long STEP = 2;

    /**
     * The counts at one step.
     *
     * @param stepIndex the policy step whose result was compared (0 = the first, noisiest step)
     * @param timestep the training-schedule timestep of that step
     * @param pairs the pairs whose final rewards are ordered (the trials)
     * @param agreements those whose step-wise order agrees with the final order
     * @param ties pairs left out because their final rewards tie
     */
    public record StepResult(int stepIndex, int timestep, int pairs, int agreements, int ties) {
        public double agreementRate() {
            return pairs == 0 ? Double.NaN : (double) agreements / pairs;
        }
    }

    private OrderConsistency() {}

    /**
     * Samples {@code pairs} trajectory pairs (prompts cycled, {@code batch} pairs at a time, noise
     * keyed by {@code seed}) and counts agreement at every step index 0 .. T-1.
     */
    public static List<StepResult> run(DiffusionPolicy policy, StepwiseReward reward, List<String> prompts, int pairs,
                                       int batch, long seed, NDManager manager) {
        if (prompts.isEmpty() || pairs < 1 || batch < 1) {
            throw new InvalidInputException("order consistency needs prompts, pairs >= 1 and batch >= 1");
        }
        int steps = policy.steps();
        int[] agree = new int[steps];
        int[] ordered = new int[steps];
        int ties = 0;
        KeyedRandom random = new KeyedRandom(seed);
        for (int start = 0; start < pairs; start += batch) {
            int b = Math.min(batch, pairs - start);
            List<String> rows = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                for (int j = 0; j < b; j++) {
                    rows.add(prompts.get((start + j) % prompts.size()));
                }
            }
            float[][] scores = new float[steps][];
            try (NDManager round = manager.newSubManager()) {
                Conditioning c = policy.encode(rows, round);
                long key = start;
                NDArray xT = random.normal(round, new Shape(b).addAll(policy.sampleShape()), INITIAL, key);
                // rows j and j + b start from the same x_T and then draw independent step noise
                Rollouts.denoise(round, xT.concat(xT, 0), steps, (scope, i, x) -> {
                    NDArray next = policy.step(c, x, i, random.normal(scope, x.getShape(), STEP, key, i)).next();
                    scores[i] = reward.score(c, next, i + 1);
                    return next;
                });
            }
            float[] last = scores[steps - 1];
            for (int j = 0; j < b; j++) {
                double finalDiff = (double) last[j] - last[j + b];
                if (finalDiff == 0) {
                    ties++;
                    continue;
                }
                for (int i = 0; i < steps; i++) {
                    double stepDiff = (double) scores[i][j] - scores[i][j + b];
                    ordered[i]++;
                    if (Math.signum(stepDiff) == Math.signum(finalDiff)) {
                        agree[i]++;
                    }
                }
            }
        }
        List<StepResult> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            out.add(new StepResult(i, policy.timestep(i), ordered[i], agree[i], ties));
        }
        return out;
    }
}
