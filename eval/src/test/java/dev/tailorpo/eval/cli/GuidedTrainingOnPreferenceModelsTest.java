package dev.tailorpo.eval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import dev.tailorpo.trainers.run.MetricsLog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TailorPO-G trains the miniature SD 1.5 (testdata/sd-tiny, its VAE decoding the latents) on the
 * tiny ImageReward and HPSv2 (testdata/imagereward-tiny, hpsv2-tiny): the run finishes, and the
 * reward gradient through VAE and reward model raises the step-wise reward often enough that
 * guidance is accepted on some steps.
 */
class GuidedTrainingOnPreferenceModelsTest {

    private static String rewardOptions(String reward) throws IOException {
        if (reward.equals("image-reward")) {
            Path dir = TestData.testdata("imagereward-tiny");
            JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            return "{checkpoint: " + dir.resolve("ImageReward.pt") + ", vision_heads: '"
                    + config.get("vision").get("heads").asInt() + "'}";
        }
        Path dir = TestData.testdata("hpsv2-tiny");
        return "{checkpoint: " + dir.resolve("HPS_tiny.pt") + ", model_config: " + dir.resolve("open_clip_config.json")
                + ", vocab: " + TestData.data("vocab", "bpe_simple_vocab_16e6.txt.gz") + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"image-reward", "hpsv2"})
    void tailorpoGTrainsOnTheRewardAndAcceptsGuidance(String reward, @TempDir Path dir) throws IOException {
        Path model = TrainCommandTest.copyModel(dir.resolve("model"));
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a photo of a red cat\na dog running on the beach\n");
        Path config = dir.resolve("train.yaml");
        Files.writeString(config, String.join("\n",
                "model: " + model,
                "prompts: " + prompts,
                "reward: {id: " + reward + ", options: " + rewardOptions(reward) + "}",
                "trainer: {method: tailorpo-g, settings: {train_steps: [0, 1, 2], lr: 1.0e-3}}",
                "sampling: {steps: 4, eta: 1.0, guidance_scale: 5.0}",
                "engine: {prompts_per_iteration: 2, sample_budget: 2, checkpoint_every: 1}",
                "seed: 0", ""));
        Path runs = dir.resolve("runs");
        Result r = tailor("train", "--config", config.toString(), "--runs", runs.toString(), "--run", "g");
        assertEquals(0, r.code(), r.err());
        Path run = runs.resolve("g");
        assertTrue(Files.isRegularFile(run.resolve("DONE")));
        List<Map<String, Object>> metrics = new MetricsLog(run.resolve("metrics.jsonl")).read();
        assertEquals(1, metrics.size(), "one iteration of 2 prompts");
        double accepted = 0;
        for (Map<String, Object> m : metrics) {
            Object f = m.get("tailorpo_g/accepted_fraction");
            assertTrue(f instanceof Number, "no accepted_fraction in " + m);
            double v = ((Number) f).doubleValue();
            assertTrue(v >= 0 && v <= 1, "accepted fraction " + v);
            accepted = Math.max(accepted, v);
            assertTrue(Double.isFinite(((Number) m.get("reward_mean")).doubleValue()), "reward_mean of " + m);
        }
        System.out.printf("%s: TailorPO-G accepted fraction per iteration %s%n", reward,
                metrics.stream().map(m -> m.get("tailorpo_g/accepted_fraction")).toList());
        assertTrue(accepted > 0, reward + ": guidance was never accepted");
    }
}
