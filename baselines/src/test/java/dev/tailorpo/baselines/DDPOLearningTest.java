package dev.tailorpo.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.trainers.engine.EngineConfig;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.methods.Rollouts;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DDPO learns, in the direction its reward asks for: on the miniature SD 1.5 with a reward it can
 * move directly (the images' mean brightness), 12 iterations through the shared engine raise the
 * brightness of fresh samples when brighter is better and lower it when darker is better. An
 * update that ignored or inverted the advantages, or whose gradient missed the policy, could not
 * move the same start both ways. Measured when written: 0.527 -> 0.581 and 0.527 -> 0.482.
 */
class DDPOLearningTest {
    private static final int STEPS = 4;
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square");
    private static final double LR = 3e-2;

    @Test
    void freshSamplesMoveTheWayTheRewardAsks(@TempDir Path runs) throws Exception {
        double[] up = trainedBrightness(true, runs);
        double[] down = trainedBrightness(false, runs);
        assertTrue(up[1] > up[0] + 0.02, "brighter is better: " + up[0] + " -> " + up[1]);
        assertTrue(down[1] < down[0] - 0.02, "darker is better: " + down[0] + " -> " + down[1]);
    }

    /** {before, after}: the fresh samples' brightness before and after 12 DDPO iterations. */
    private static double[] trainedBrightness(boolean brighterIsBetter, Path runs) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            GuidedPolicy policy = Fixtures.policy(manager, STEPS);
            double before = freshBrightness(policy, manager);
            BaselineProviders.Ddpo p = new BaselineProviders.Ddpo();
            MethodSettings s = MethodSettings.of(p.id(), p.defaults(), Map.of("images_per_prompt", 4, "min_count", 4));
            // 2 prompts x 4 images an iteration, 2 AdamW steps each, until 96 images
            new PreferenceTrainer(policy, Fixtures.brightness(brighterIsBetter), p.create(s), LR,
                    new EngineConfig(2, 96, 0, 2, 1e-4, 0.9, 0.999, 1e-8, 1.0, 100, 1, false, false), PROMPTS, 3,
                    RunDirectory.create(runs, "ddpo-" + brighterIsBetter), manager)
                    .run((metrics, samples, budget) -> {});
            return new double[] {before, freshBrightness(policy, manager)};
        }
    }

    /** The mean brightness of 32 samples of the first prompt, from the same noise every time. */
    private static double freshBrightness(GuidedPolicy policy, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            int n = 32;
            List<String> prompts = Collections.nCopies(n, PROMPTS.get(0));
            Conditioning c = policy.encode(prompts, m);
            KeyedRandom random = new KeyedRandom(99);
            NDArray x = random.normal(m, new Shape(n).addAll(policy.sampleShape()), 1);
            NDArray last = Rollouts.denoise(m, x, STEPS, (scope, i, state) ->
                    policy.step(c, state, i, random.normal(scope, state.getShape(), 2, i)).next());
            double sum = 0;
            for (float b : Fixtures.brightness(true).score(policy.toImages(last), prompts)) {
                sum += b;
            }
            return sum / n;
        }
    }
}
