package dev.tailorpo.eval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import dev.tailorpo.eval.train.Provenance;
import dev.tailorpo.trainers.run.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tailor train} end to end on a copy of testdata/sd-tiny with the test-channel reward: the
 * run folder's files and provenance, the refusal to reuse a run name, and resume refusing a model
 * that changed since the run started.
 */
class TrainCommandTest {

    @Test
    void trainsRecordsProvenanceAndRefusesToOverwriteOrResumeOnAChangedModel(@TempDir Path dir) throws IOException {
        Path model = copyModel(dir.resolve("model"));
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a small red circle\na large blue square\n");
        Path config = dir.resolve("train.yaml");
        Files.writeString(config, String.join("\n",
                "model: " + model,
                "prompts: " + prompts,
                "reward: {id: test-channel, options: {channel: '1'}}",
                "trainer: {method: tailorpo, settings: {train_steps: [0], lr: 1.0e-3}}",
                "sampling: {steps: 2, eta: 1.0, guidance_scale: 5.0}",
                "engine: {prompts_per_iteration: 1, sample_budget: 2, checkpoint_every: 1}",
                "seed: 3", ""));
        Path runs = dir.resolve("runs");
        Result r = tailor("train", "--config", config.toString(), "--runs", runs.toString(), "--run", "r1");
        assertEquals(0, r.code(), r.err());
        Path run = runs.resolve("r1");
        for (String f : List.of("config.yaml", "provenance.json", "metrics.jsonl", "DONE", "pytorch_lora_weights.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertEquals(2, new MetricsLog(run.resolve("metrics.jsonl")).read().size());
        JsonNode p = new ObjectMapper().readTree(run.resolve("provenance.json").toFile());
        assertEquals(3, p.get("seed").asLong());
        assertEquals(Provenance.sha256(model.resolve("unet").resolve("diffusion_pytorch_model.safetensors")),
                p.get("model").get("sha256").get("unet/diffusion_pytorch_model.safetensors").asText());
        assertEquals(Provenance.sha256(prompts), p.get("prompts").get("sha256").asText());
        assertEquals(2, p.get("prompts").get("count").asInt());
        assertEquals("tailorpo", p.get("trainer").get("method").asText());
        assertEquals("[0]", p.get("trainer").get("settings").get("train_steps").toString());
        assertEquals(0.1, p.get("trainer").get("settings").get("beta").asDouble());   // a default written out
        assertTrue(Files.readString(run.resolve("config.yaml")).contains("sample_budget: 2"));

        Result again = tailor("train", "--config", config.toString(), "--runs", runs.toString(), "--run", "r1");
        assertNotEquals(0, again.code());
        assertTrue(again.err().contains("already exists"), again.err());

        Result finished = tailor("train", "--runs", runs.toString(), "--resume", "r1");
        assertEquals(0, finished.code(), finished.err());
        assertTrue(finished.out().contains("already finished"), finished.out());

        Files.delete(run.resolve("DONE"));   // as if killed before the end
        Files.writeString(model.resolve("model_index.json"), "\n", StandardOpenOption.APPEND);
        Result changed = tailor("train", "--runs", runs.toString(), "--resume", "r1");
        assertNotEquals(0, changed.code());
        assertTrue(changed.err().contains("model file model_index.json") && changed.err().contains("changed"), changed.err());
    }

    /** Copies the parts of testdata/sd-tiny that make a diffusers snapshot to {@code to}. */
    static Path copyModel(Path to) throws IOException {
        Path from = TestData.sdTiny();
        for (String part : List.of("model_index.json", "scheduler", "text_encoder", "tokenizer", "unet", "vae")) {
            Path src = from.resolve(part);
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target);
                    }
                }
            }
        }
        return to;
    }
}
