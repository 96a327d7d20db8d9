package dev.tailorpo.trainers.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.optim.Gradients;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An update's gradient is the gradient of the method's loss alone. TailorPO-G's collection takes
 * the reward's gradient with respect to x through the UNet, a backward pass that DJL also
 * accumulates into the adapters' gradients; that d r / d theta once joined the update, so the
 * optimizer descended the reward (measured: TailorPO-G lowered shapes-aesthetic by 2.8 while its
 * gradient norm was 20 against TailorPO's 7e-5). Here the same TailorPO-G iteration runs twice,
 * once with the adapters' gradients cleared by hand after collecting: the engine must report the
 * same gradient norm for both.
 */
class CollectedGradientsTest {
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square on a green background");
    private static final EngineConfig ONE_UPDATE = new EngineConfig(2, 2, 0, 1, 1e-4, 0.9, 0.999, 1e-8, 1.0, 1, 1, false, false);

    @Test
    void theRewardGradientTakenWhileCollectingStaysOutOfTheUpdate(@TempDir Path runs) {
        double asIs = gradNorm(runs, "as-is", false);
        double cleared = gradNorm(runs, "cleared", true);
        assertTrue(cleared > 0, "the loss has a gradient");
        assertEquals(cleared, asIs, 1e-6 * cleared, "gradient norm of the update");
    }

    private static double gradNorm(Path runs, String name, boolean clearAfterCollect) {
        TrainerProvider provider = new TailorPOProviders.Guided();
        MethodSettings settings = MethodSettings.of(provider.id(), provider.defaults(), Map.of("train_steps", List.of(1, 2)));
        RunDirectory run = RunDirectory.create(runs, name);
        try (NDManager manager = NDManager.newBaseManager();
             RewardModel reward = new ImageRewardProviders.ColorfulnessProvider()
                     .create(new RewardContext(TestData.repo().resolve("models"), Device.cpu(), Map.of()))) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), manager);
            Lora lora = Lora.attach(model.unet(), new LoraConfig(4, 4f), manager, 7);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(4, 1.0, 5.0), lora);
            TrainingMethod<?> method = provider.create(settings);
            new PreferenceTrainer(policy, reward, clearAfterCollect ? clearingAfterCollect(method, lora) : method,
                    1e-3, ONE_UPDATE, PROMPTS, 11, run, manager).run((metrics, samples, budget) -> { });
        }
        List<Map<String, Object>> metrics = new MetricsLog(run.metrics()).read();
        assertEquals(1, metrics.size());
        return ((Number) metrics.get(0).get("grad_norm")).doubleValue();
    }

    /** The method, with the adapters' gradients zeroed right after it collects. */
    private static <S> TrainingMethod<S> clearingAfterCollect(TrainingMethod<S> method, Lora lora) {
        return new TrainingMethod<>() {
            @Override
            public Experience<S> collect(TrainingContext context, List<String> prompts) {
                Experience<S> out = method.collect(context, prompts);
                try (NDManager scope = context.manager().newSubManager()) {
                    for (Param p : lora.namedParameters().values()) {
                        NDArray g = Gradients.of(p.array(), scope);
                        g.subi(g);
                    }
                }
                return out;
            }

            @Override
            public NDArray loss(TrainingContext context, List<S> minibatch) {
                return method.loss(context, minibatch);
            }
        };
    }
}
