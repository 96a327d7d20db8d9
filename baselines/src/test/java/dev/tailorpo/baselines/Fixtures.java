package dev.tailorpo.baselines;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.function.Supplier;

/** The sd-tiny policy with the trainer fixture's LoRA weights, simple rewards, and the engine's context. */
final class Fixtures {
    static final long SEED = 11;

    private Fixtures() {}

    /** The miniature SD 1.5 snapshot with LoRA adapters (policy != reference), guided DDIM with eta 1. */
    static GuidedPolicy policy(NDManager manager, int steps) {
        DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), manager);
        Lora lora = Lora.attach(model.unet(), new LoraConfig(4, 4f), manager, 0);
        lora.load(TestData.sdTiny("trainer", "pytorch_lora_weights.safetensors"), manager);
        return GuidedPolicy.ddim(model, new SamplingSettings(steps, 1.0, 5.0), lora);
    }

    /**
     * The {@link #policy} loaded once for a test class and closed after its tests, so the method tests
     * share one set-up: register it on a static field with {@code @RegisterExtension}.
     */
    static final class LoadedPolicy implements BeforeAllCallback, AfterAllCallback {
        private final int steps;
        private NDManager manager;
        private GuidedPolicy policy;

        LoadedPolicy(int steps) {
            this.steps = steps;
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            manager = NDManager.newBaseManager();
            policy = Fixtures.policy(manager, steps);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            manager.close();
        }

        /** The manager the policy lives in; tests open sub-managers of it. */
        NDManager manager() {
            return manager;
        }

        GuidedPolicy policy() {
            return policy;
        }
    }

    /** The engine's context for one iteration, with the step-wise reward built on {@code reward}. */
    static EngineContext context(GuidedPolicy policy, RewardModel reward, int iteration, NDManager manager) {
        return context(policy, reward, new PolicyStepwiseReward(policy, reward), iteration, manager);
    }

    static EngineContext context(GuidedPolicy policy, RewardModel reward, StepwiseReward stepwise, int iteration,
                                 NDManager manager) {
        return new EngineContext(policy, reward, stepwise, iteration, manager, new KeyedRandom(SEED).child(iteration));
    }

    /** The mean pixel value of each image, higher or lower being better. */
    static RewardModel brightness(boolean higherIsBetter) {
        return new RewardModel() {
            @Override
            public RewardInfo info() {
                return new RewardInfo("brightness", "Brightness", 0, 1, higherIsBetter, false, 0);
            }

            @Override
            public float[] score(NDArray images, List<String> prompts) {
                return images.reshape(images.getShape().get(0), -1).mean(new int[] {1}).toFloatArray();
            }
        };
    }

    /** The same score for every image. */
    static RewardModel constant() {
        return new RewardModel() {
            @Override
            public RewardInfo info() {
                return new RewardInfo("constant", "Constant", 0, 1, true, false, 0);
            }

            @Override
            public float[] score(NDArray images, List<String> prompts) {
                return new float[prompts.size()];
            }
        };
    }

    /** The gradient of a loss with respect to all LoRA weights, flattened; the gradients are zeroed after. */
    static float[] loraGradient(GuidedPolicy policy, Supplier<NDArray> loss) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.get());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            List<Param> params = List.copyOf(policy.lora().namedParameters().values());
            float[][] parts = new float[params.size()][];
            int total = 0;
            for (int i = 0; i < parts.length; i++) {
                NDArray g = params.get(i).array().getGradient();
                g.attach(m);
                parts[i] = g.toFloatArray();
                total += parts[i].length;
                g.subi(g);
            }
            float[] out = new float[total];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }

    /** The largest absolute element. */
    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
