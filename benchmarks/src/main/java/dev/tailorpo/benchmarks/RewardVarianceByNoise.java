package dev.tailorpo.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.rewards.image.ImageRewardProviders;
import dev.tailorpo.rewards.shapes.ShapesRewardProviders;
import dev.tailorpo.trainers.methods.Rollouts;
import dev.tailorpo.trainers.policy.GuidedPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much of a prompt's final-reward variance comes from the initial noise x_T and how much from
 * the step noise of DDIM with eta 1, on the base model. Per prompt: {@code X} draws of x_T, each
 * denoised {@code K} times with independent step noise; a one-way random-effects analysis splits
 * the variance into between-x_T (sigma_b^2 = (MSB - MSW) / K) and within-x_T (sigma_w^2 = MSW).
 *
 * <p>Why it matters: DDPO gives every step of a trajectory the trajectory's normalised reward, and
 * the per-prompt baseline removes only the prompt's mean. The part of the reward set by x_T is
 * independent of every step's noise, so it enters DDPO's gradient as zero-mean noise; only the
 * within-x_T part is what a policy step can change. D3PO's pairs share x_T, TailorPO's share x_t.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     dev.tailorpo.benchmarks.RewardVarianceByNoise [PROMPTS X K]
 * </pre>
 * run from the repository root (reads models/ and data/prompts/shapes_train.txt); defaults 16
 * prompts (every 16th of the file), X = 4, K = 4.
 */
public final class RewardVarianceByNoise {
    private static final long INITIAL = 1;
    private static final long STEP = 2;

    private RewardVarianceByNoise() {}

    public static void main(String[] args) throws Exception {
        int promptCount = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int x = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        List<String> all = Files.readAllLines(Path.of("data/prompts/shapes_train.txt")).stream()
                .filter(s -> !s.isBlank()).toList();
        int stride = Math.max(1, all.size() / promptCount);
        RewardContext rc = new RewardContext(Path.of("models"), Device.cpu(), Map.of());
        try (NDManager manager = NDManager.newBaseManager();
             RewardModel aesthetic = new ShapesRewardProviders.Aesthetic().create(rc);
             RewardModel colour = new ImageRewardProviders.ColorfulnessProvider().create(rc)) {
            GuidedPolicy policy = GuidedPolicy.load(Path.of("models/shapes-base"), new SamplingSettings(20, 1.0, 5.0),
                    new LoraConfig(4, 4f), 0, manager);
            KeyedRandom random = new KeyedRandom(0);
            List<RewardModel> rewards = List.of(aesthetic, colour);
            double[][] within = new double[rewards.size()][promptCount];
            double[][] between = new double[rewards.size()][promptCount];
            System.out.printf(Locale.ROOT, "prompt\treward\tsigma_b^2 (x_T)\tsigma_w^2 (steps)\tshare of x_T%n");
            for (int p = 0; p < promptCount; p++) {
                String prompt = all.get(p * stride);
                float[][] scores = rollouts(policy, random.child(p), prompt, x, k, rewards, manager);
                for (int r = 0; r < rewards.size(); r++) {
                    double[] split = split(scores[r], x, k);
                    between[r][p] = split[0];
                    within[r][p] = split[1];
                    System.out.printf(Locale.ROOT, "%s\t%s\t%.4g\t%.4g\t%.2f%n", prompt, rewards.get(r).info().id(),
                            split[0], split[1], share(split[0], split[1]));
                }
            }
            for (int r = 0; r < rewards.size(); r++) {
                double b = mean(between[r]);
                double w = mean(within[r]);
                System.out.printf(Locale.ROOT, "mean over %d prompts\t%s\t%.4g\t%.4g\t%.2f%n", promptCount,
                        rewards.get(r).info().id(), b, w, share(b, w));
            }
        }
    }

    /** Final rewards [reward][row], row = i * k + j for x_T draw i and step-noise draw j. */
    private static float[][] rollouts(GuidedPolicy policy, KeyedRandom random, String prompt, int x, int k,
                                      List<RewardModel> rewards, NDManager manager) {
        try (NDManager keep = manager.newSubManager()) {
            int n = x * k;
            Conditioning c = policy.encode(Collections.nCopies(n, prompt), keep);
            Shape one = new Shape(1).addAll(policy.sampleShape());
            NDArray[] starts = new NDArray[n];
            for (int row = 0; row < n; row++) {
                starts[row] = random.normal(keep, one, INITIAL, row / k);
            }
            NDArray xt = NDArrays.concat(new NDList(starts), 0);
            NDArray last = Rollouts.denoise(keep, xt, policy.steps(), (scope, i, state) ->
                    policy.step(c, state, i, random.normal(scope, state.getShape(), STEP, i)).next());
            NDArray images = policy.toImages(last);
            float[][] out = new float[rewards.size()][];
            for (int r = 0; r < rewards.size(); r++) {
                out[r] = rewards.get(r).score(images, Collections.nCopies(n, prompt));
            }
            return out;
        }
    }

    /** {sigma_b^2, sigma_w^2} of a one-way random-effects model, groups of k consecutive values. */
    static double[] split(float[] v, int groups, int k) {
        double grand = 0;
        for (float f : v) {
            grand += f / (double) v.length;
        }
        double ssb = 0;
        double ssw = 0;
        for (int g = 0; g < groups; g++) {
            double m = 0;
            for (int j = 0; j < k; j++) {
                m += v[g * k + j] / (double) k;
            }
            ssb += k * (m - grand) * (m - grand);
            for (int j = 0; j < k; j++) {
                ssw += (v[g * k + j] - m) * (v[g * k + j] - m);
            }
        }
        double msb = ssb / (groups - 1);
        double msw = ssw / (groups * (k - 1));
        return new double[] {Math.max(0, (msb - msw) / k), msw};
    }

    private static double share(double b, double w) {
        return b + w == 0 ? Double.NaN : b / (b + w);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d / v.length;
        }
        return s;
    }
}
