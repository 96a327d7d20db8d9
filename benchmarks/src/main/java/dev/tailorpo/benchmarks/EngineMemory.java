package dev.tailorpo.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.rewards.image.ImageRewardProviders;
import dev.tailorpo.trainers.engine.EngineConfig;
import dev.tailorpo.trainers.engine.MemoryProbe;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.methods.TailorPOProviders;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.run.RunDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Memory over a long TailorPO-G run on the shared engine: resident set size after every
 * iteration, printed at a few points with the least-squares slope over the second half (growth that
 * a leak would show; the first iterations include allocator warm-up). Checkpoints are written every
 * 100 iterations, as in real runs.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "eval/target/lib/*:benchmarks/target/classes" \
 *     dev.tailorpo.benchmarks.EngineMemory MODEL_DIR ITERATIONS [SAMPLING_STEPS]
 * </pre>
 */
public final class EngineMemory {
    private EngineMemory() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "testdata/sd-tiny");
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        TrainerProvider provider = new TailorPOProviders.Guided();
        MethodSettings settings = MethodSettings.of(provider.id(), provider.defaults(),
                Map.of("train_steps", List.of(0, steps / 2), "lr", 1e-3));
        Path runs = Files.createTempDirectory("engine-memory");
        double[] rss = new double[iterations];
        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager();
             RewardModel reward = new ImageRewardProviders.ColorfulnessProvider()
                     .create(new RewardContext(Path.of("models"), Device.cpu(), Map.of()))) {
            GuidedPolicy policy = GuidedPolicy.load(model, new SamplingSettings(steps, 1.0, 5.0), new LoraConfig(4, 4f), 0, manager);
            EngineConfig engine = new EngineConfig(1, iterations, 0, 1, 1e-4, 0.9, 0.999, 1e-8, 1.0, 100, 2, false, false);
            new PreferenceTrainer(policy, reward, provider.create(settings), 1e-3, engine,
                    List.of("a red circle", "a blue square on a green background"), 0,
                    RunDirectory.create(runs, "memory"), manager).run((metrics, samples, budget) -> {
                        int i = ((Number) metrics.get("iteration")).intValue();
                        rss[i] = MemoryProbe.rssMegabytes();
                        if (i == 0 || (i + 1) % (iterations / 10) == 0) {
                            System.out.printf(Locale.ROOT, "iteration %5d  rss %.0f MB  (%.0f s)%n", i + 1, rss[i],
                                    (System.nanoTime() - started) / 1e9);
                        }
                    });
        }
        int half = iterations / 2;
        System.out.printf(Locale.ROOT, "rss first %.0f MB, at half %.0f MB, last %.0f MB; slope over the second half "
                + "%.4f MB per iteration (%.1f MB per 1000)%n", rss[0], rss[half], rss[iterations - 1],
                slope(rss, half), 1000 * slope(rss, half));
    }

    private static double slope(double[] y, int from) {
        int n = y.length - from;
        double mx = 0;
        double my = 0;
        for (int i = from; i < y.length; i++) {
            mx += i;
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = from; i < y.length; i++) {
            sxy += (i - mx) * (y[i] - my);
            sxx += (i - mx) * (i - mx);
        }
        return sxy / sxx;
    }
}
