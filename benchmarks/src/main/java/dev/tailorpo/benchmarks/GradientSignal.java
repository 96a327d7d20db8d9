package dev.tailorpo.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.optim.Gradients;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.rewards.shapes.ShapesRewardProviders;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * How much of a method's gradient is signal. At fixed weights (the base model with fresh adapters),
 * {@code M} independent iterations' worth of samples (8 prompts each, shapes-aesthetic, as the
 * study draws them) give LoRA gradients g_1 .. g_M of the method's loss, and
 *
 * <pre>
 *   rho = mean over i != j of g_i . g_j  /  mean over i of |g_i|^2
 * </pre>
 *
 * estimates |E g|^2 / E|g|^2 (independent draws: E g_i . g_j = |E g|^2): the share of an update's
 * squared length that points where the method's expected gradient points; the rest is the noise of
 * one iteration's samples. Near 0, an optimizer step mostly follows that noise. The standard error
 * is a jackknife over the M batches.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     dev.tailorpo.benchmarks.GradientSignal METHOD M [key=value ...]
 * </pre>
 * run from the repository root; METHOD is a trainer id (tailorpo, d3po, ddpo, ...), the key=value
 * pairs override its settings (e.g. {@code min_count=4}).
 */
public final class GradientSignal {
    private static final int PROMPTS_PER_ITERATION = 8;
    private static final int MINIBATCH = 20;

    private GradientSignal() {}

    public static void main(String[] args) throws Exception {
        String id = args[0];
        int batches = Integer.parseInt(args[1]);
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (int a = 2; a < args.length; a++) {
            String[] kv = args[a].split("=", 2);
            overrides.put(kv[0], kv[1].matches("-?\\d+") ? (Object) Integer.parseInt(kv[1]) : (Object) Double.parseDouble(kv[1]));
        }
        TrainerProvider provider = ServiceLoader.load(TrainerProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no trainer '" + id + "'"));
        TrainingMethod<?> method = provider.create(MethodSettings.of(id, provider.defaults(), overrides));
        List<String> prompts = Files.readAllLines(Path.of("data/prompts/shapes_train.txt")).stream()
                .filter(s -> !s.isBlank()).toList();
        RewardContext rc = new RewardContext(Path.of("models"), Device.cpu(), Map.of());
        try (NDManager manager = NDManager.newBaseManager();
             RewardModel reward = new ShapesRewardProviders.Aesthetic().create(rc)) {
            GuidedPolicy policy = GuidedPolicy.load(Path.of("models/shapes-base"), new SamplingSettings(20, 1.0, 5.0),
                    new LoraConfig(4, 4f), 0, manager);
            policy.lora().setTrainable(true);
            PolicyStepwiseReward stepwise = new PolicyStepwiseReward(policy, reward);
            List<Param> params = List.copyOf(policy.lora().namedParameters().values());
            KeyedRandom random = new KeyedRandom(0);
            List<double[]> gradients = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                long started = System.nanoTime();
                try (NDManager it = manager.newSubManager()) {
                    EngineContext ctx = new EngineContext(policy, reward, stepwise, b, it, random.child(b));
                    int samples = accumulate(method, ctx, PreferenceTrainer.drawPrompts(prompts, PROMPTS_PER_ITERATION,
                            ctx.random(PreferenceTrainer.PROMPTS)), params);
                    gradients.add(takeGradient(params));
                    System.err.printf(Locale.ROOT, "batch %d: %d samples, |g| %.4g (%.0f s)%n", b, samples,
                            Math.sqrt(dot(gradients.get(b), gradients.get(b))), (System.nanoTime() - started) / 1e9);
                }
            }
            double rho = rho(gradients, -1);
            double jackSum = 0;
            double[] leaveOut = new double[batches];
            for (int k = 0; k < batches; k++) {
                leaveOut[k] = rho(gradients, k);
                jackSum += leaveOut[k];
            }
            double jackMean = jackSum / batches;
            double ss = 0;
            for (double v : leaveOut) {
                ss += (v - jackMean) * (v - jackMean);
            }
            double se = Math.sqrt((batches - 1.0) / batches * ss);
            double norm2 = 0;
            for (double[] g : gradients) {
                norm2 += dot(g, g) / batches;
            }
            System.out.printf(Locale.ROOT, "%s %s: M = %d batches of %d prompts, mean |g| %.4g, rho %.3f ± %.3f%n", id,
                    overrides, batches, PROMPTS_PER_ITERATION, Math.sqrt(norm2), rho, se);
        }
    }

    /** One iteration's samples and the gradient of their mean loss; returns the number of samples. */
    private static <S> int accumulate(TrainingMethod<S> method, EngineContext ctx, List<String> batch, List<Param> params) {
        Experience<S> exp = method.collect(ctx, batch);
        takeGradient(params); // collecting may run backward passes (TailorPO-G): not the loss's gradient
        ctx.accumulateGradient(method, exp.samples(), MINIBATCH);
        return exp.samples().size();
    }

    /** The adapters' gradient, flattened, and zeroes it. */
    private static double[] takeGradient(List<Param> params) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        try (NDManager scope = NDManager.newBaseManager()) {
            for (Param p : params) {
                NDArray g = Gradients.of(p.array(), scope);
                float[] v = g.toFloatArray();
                g.subi(g);
                parts.add(v);
                total += v.length;
            }
        }
        double[] out = new double[total];
        int at = 0;
        for (float[] v : parts) {
            for (float f : v) {
                out[at++] = f;
            }
        }
        return out;
    }

    /** rho over the gradients, leaving out index {@code skip} (-1: none). */
    private static double rho(List<double[]> g, int skip) {
        double cross = 0;
        double own = 0;
        int pairs = 0;
        int n = 0;
        for (int i = 0; i < g.size(); i++) {
            if (i == skip) {
                continue;
            }
            own += dot(g.get(i), g.get(i));
            n++;
            for (int j = i + 1; j < g.size(); j++) {
                if (j != skip) {
                    cross += dot(g.get(i), g.get(j));
                    pairs++;
                }
            }
        }
        return (cross / pairs) / (own / n);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
