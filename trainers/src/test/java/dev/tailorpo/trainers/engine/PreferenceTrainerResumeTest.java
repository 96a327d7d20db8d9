package dev.tailorpo.trainers.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.rewards.image.ImageRewardProviders;
import dev.tailorpo.trainers.methods.TailorPOProviders;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.run.MetricsLog;
import dev.tailorpo.trainers.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run killed after a checkpoint and resumed gives exactly the numbers of the uninterrupted run
 * with the same seed: every iteration's metrics and the final adapters, bit for bit. TailorPO-G on
 * the tiny test model with the colourfulness reward, 4 iterations, a checkpoint every 2.
 */
class PreferenceTrainerResumeTest {
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square on a green background", "a cat");
    private static final EngineConfig ENGINE = new EngineConfig(2, 8, 2, 2, 1e-4, 0.9, 0.999, 1e-8, 1.0, 2, 2, false, false);

    /** Thrown by the listener to simulate a crash. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed");
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path runs) {
        RunDirectory whole = RunDirectory.create(runs, "whole");
        train(whole, -1);

        RunDirectory split = RunDirectory.create(runs, "split");
        assertThrows(Killed.class, () -> train(split, 2));    // dies in iteration 2, after the checkpoint of 2
        assertEquals(3, new MetricsLog(split.metrics()).read().size(), "iterations 0..2 logged before the crash");
        int[] resumedAt = {-1};
        train(split, -1, resumedAt);
        assertEquals(2, resumedAt[0], "resumed from the checkpoint after 2 iterations");

        List<Map<String, Object>> a = new MetricsLog(whole.metrics()).read();
        List<Map<String, Object>> b = new MetricsLog(split.metrics()).read();
        assertEquals(4, a.size());
        assertEquals(4, b.size());
        for (int i = 0; i < 4; i++) {
            Map<String, Object> ra = withoutTiming(a.get(i));
            Map<String, Object> rb = withoutTiming(b.get(i));
            assertEquals(ra, rb, "iteration " + i);
            assertTrue(((Number) ra.get("grad_norm")).doubleValue() > 0, "iteration " + i + " trained");
        }
        try (NDManager m = NDManager.newBaseManager();
             SafeTensorsFile fa = SafeTensorsFile.open(whole.root().resolve(PreferenceTrainer.LORA_FILE));
             SafeTensorsFile fb = SafeTensorsFile.open(split.root().resolve(PreferenceTrainer.LORA_FILE))) {
            assertEquals(fa.keys(), fb.keys());
            double changed = 0;
            for (String k : fa.keys()) {
                NDArray x = fa.load(k, m);
                NDArray y = fb.load(k, m);
                assertTrue(x.contentEquals(y), k);
                if (k.contains("lora_B")) {
                    changed += x.abs().sum().getFloat();
                }
            }
            assertTrue(changed > 0, "the adapters' B matrices moved away from zero");
        }
    }

    private static Map<String, Object> withoutTiming(Map<String, Object> row) {
        Map<String, Object> r = new java.util.LinkedHashMap<>(row);
        r.remove("time_s");
        r.remove("rss_mb");
        r.remove("peak_rss_mb");
        return r;
    }

    private static void train(RunDirectory run, int killAt) {
        train(run, killAt, new int[1]);
    }

    /** One trainer process: a fresh model and adapters, as after a restart. */
    private static void train(RunDirectory run, int killAt, int[] resumedAt) {
        TrainerProvider provider = new TailorPOProviders.Guided();
        MethodSettings settings = MethodSettings.of(provider.id(), provider.defaults(),
                Map.of("train_steps", List.of(1, 2)));
        try (NDManager manager = NDManager.newBaseManager();
             RewardModel reward = new ImageRewardProviders.ColorfulnessProvider()
                     .create(new RewardContext(TestData.repo().resolve("models"), Device.cpu(), Map.of()))) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), manager);
            Lora lora = Lora.attach(model.unet(), new LoraConfig(4, 4f), manager, 7);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(4, 1.0, 5.0), lora);
            new PreferenceTrainer(policy, reward, provider.create(settings), 1e-3, ENGINE, PROMPTS, 11, run, manager)
                    .run(new PreferenceTrainer.Listener() {
                        @Override
                        public void onIteration(Map<String, Object> metrics, long samples, long budget) {
                            if (((Number) metrics.get("iteration")).intValue() == killAt) {
                                throw new Killed();
                            }
                        }

                        @Override
                        public void onResume(long iteration, long samples) {
                            resumedAt[0] = (int) iteration;
                        }
                    });
        }
    }
}
