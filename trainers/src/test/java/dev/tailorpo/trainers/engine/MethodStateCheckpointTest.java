package dev.tailorpo.trainers.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.io.CheckpointStore;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The engine keeps a method's own state ({@link TrainingMethod#state}) in checkpoints and restores it on resume. */
class MethodStateCheckpointTest {

    /** Counts its iterations and remembers a float per iteration; trains on nothing. */
    private static final class Counting implements TrainingMethod<Object> {
        int iterations;
        final List<Float> values = new ArrayList<>();
        Map<String, Object> restored;

        @Override
        public Experience<Object> collect(TrainingContext context, List<String> prompts) {
            iterations++;
            values.add(0.1f * iterations);
            return new Experience<>(List.of(), new float[] {1f});
        }

        @Override
        public NDArray loss(TrainingContext context, List<Object> minibatch) {
            throw new AssertionError("no samples, no loss");
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("iterations", iterations, "values", values.stream().map(Float::doubleValue).toList());
        }

        @Override
        public void restoreState(Map<String, Object> state) {
            restored = state;
            iterations = ((Number) state.get("iterations")).intValue();
            values.clear();
            ((List<?>) state.get("values")).forEach(v -> values.add(((Number) v).floatValue()));
        }
    }

    private static final RewardModel CONSTANT = new RewardModel() {
        @Override
        public RewardInfo info() {
            return new RewardInfo("constant", "Constant", 1, 1, true, false, 0);
        }

        @Override
        public float[] score(NDArray images, List<String> prompts) {
            return new float[prompts.size()];
        }
    };

    @Test
    void methodStateIsCheckpointedAndRestoredOnResume(@TempDir Path runs) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), manager);
            Lora lora = Lora.attach(model.unet(), new LoraConfig(4, 4f), manager, 0);
            GuidedPolicy policy = GuidedPolicy.ddim(model, new SamplingSettings(2, 1.0, 5.0), lora);
            RunDirectory run = RunDirectory.create(runs, "state");
            Counting first = new Counting();
            new PreferenceTrainer(policy, CONSTANT, first, 1e-4, config(3), List.of("p"), 5, run, manager)
                    .run((metrics, samples, budget) -> {});
            assertNull(first.restored, "a fresh run restores nothing");
            JsonNode saved = new ObjectMapper().readTree(new CheckpointStore(run.checkpoints(), 2).latest().orElseThrow().dir()
                    .resolve("state.json").toFile())
                    .get("method_state");
            assertEquals(3, saved.get("iterations").asInt());

            Counting resumed = new Counting();
            new PreferenceTrainer(policy, CONSTANT, resumed, 1e-4, config(5), List.of("p"), 5, run, manager)
                    .run((metrics, samples, budget) -> {});
            assertEquals(3, ((Number) resumed.restored.get("iterations")).intValue(), "restored before the first collect");
            assertEquals(5, resumed.iterations);
            List<Float> expected = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                expected.add(0.1f * i);
            }
            assertEquals(expected, resumed.values, "floats survive the JSON round trip bit for bit");
        }
    }

    /** One image per iteration, a checkpoint after each. */
    private static EngineConfig config(int budget) {
        return new EngineConfig(1, budget, 0, 1, 1e-4, 0.9, 0.999, 1e-8, 1.0, 1, 2, false, false);
    }
}
