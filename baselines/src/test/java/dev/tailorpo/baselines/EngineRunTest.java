package dev.tailorpo.baselines;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.diffusion.io.CheckpointStore;
import dev.tailorpo.trainers.engine.EngineConfig;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
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

/** One iteration of each baseline through the shared engine: samples, a finite loss, a gradient, a checkpoint. */
class EngineRunTest {
    private static final String PROMPT = "a red circle";

    @Test
    void eachBaselineTrainsAnIterationOnTheSharedEngine(@TempDir Path runs) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            GuidedPolicy policy = Fixtures.policy(manager, 4);
            Map<TrainerProvider, Map<String, Object>> methods = Map.of(
                    new BaselineProviders.D3po(), Map.of(),
                    new BaselineProviders.Spo(), Map.of("divert_start_step", 2, "threshold", 0.0),
                    new BaselineProviders.Ddpo(), Map.of("images_per_prompt", 2));
            for (Map.Entry<TrainerProvider, Map<String, Object>> e : methods.entrySet()) {
                TrainerProvider p = e.getKey();
                MethodSettings s = MethodSettings.of(p.id(), p.defaults(), e.getValue());
                RunDirectory run = RunDirectory.create(runs, p.id());
                new PreferenceTrainer(policy, Fixtures.brightness(true), p.create(s), s.getDouble("lr"),
                        new EngineConfig(1, 1, 0, 1, 1e-4, 0.9, 0.999, 1e-8, 1.0, 1, 1, false, false), List.of(PROMPT), 3, run, manager)
                        .run((metrics, samples, budget) -> {});
                Map<String, Object> m = new MetricsLog(run.metrics()).read().get(0);
                assertTrue(((Number) m.get("train_samples")).intValue() > 0, p.id() + ": " + m);
                assertTrue(Double.isFinite(((Number) m.get("loss")).doubleValue()), p.id() + ": " + m);
                assertTrue(((Number) m.get("grad_norm")).doubleValue() > 0, p.id() + ": " + m);
                JsonNode state = new ObjectMapper().readTree(new CheckpointStore(run.checkpoints(), 1).latest().orElseThrow()
                        .dir().resolve("state.json").toFile()).get("method_state");
                int buffered = p.id().equals("ddpo") ? 2 : 0;
                assertEquals(buffered, state.path("buffers").path(PROMPT).size(), p.id() + " method state: " + state);
            }
        }
    }
}
