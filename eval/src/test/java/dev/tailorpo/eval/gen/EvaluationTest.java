package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.report.Better;
import dev.tailorpo.eval.report.Cell;
import dev.tailorpo.eval.report.Table;
import dev.tailorpo.eval.stats.Estimate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluation protocol on testdata/sd-tiny with constructed rewards. */
class EvaluationTest {
    private static final PromptFile SET_A = new PromptFile("set_a",
            List.of("a small red circle on a black background", "a large blue square on a white background"));
    private static final PromptFile SET_B = new PromptFile("set_b", List.of("a small green star on a navy background"));
    private static final Evaluation.Settings SETTINGS = new Evaluation.Settings(new SamplingSettings(3, 1.0, 5.0), 9, 2, 3);

    private static NDManager manager;
    private static DiffusionModel model;
    private static List<RewardModel> rewards;
    private static Path zeroLora;
    private static Path trainedLora;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = DiffusionModel.load(TestData.sdTiny(), manager);
        rewards = List.of(new ChannelMeanReward("red", 0, true), new ChannelMeanReward("blue", 2, false));
        zeroLora = tmp.resolve("zero.safetensors");
        try (NDManager m = manager.newSubManager()) {
            Lora fresh = Lora.attach(model.unet(), new LoraConfig(4, 4f), m, 1);
            fresh.save(zeroLora);
            fresh.detach();
        }
        trainedLora = TestData.sdTiny("trainer", "pytorch_lora_weights.safetensors");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static List<EvalModel> models() {
        return List.of(EvalModel.base(), new EvalModel("zero", List.of(zeroLora)),
                new EvalModel("two-runs", List.of(trainedLora, zeroLora)));
    }

    private static List<ScoreRecord> cached;

    /** The first evaluation, shared by the tests that only read it. */
    private static synchronized List<ScoreRecord> records() {
        if (cached == null) {
            List<ScoreRecord> sink = new ArrayList<>();
            cached = evaluate(sink);
            assertEquals(cached, sink);
        }
        return cached;
    }

    private static List<ScoreRecord> evaluate(List<ScoreRecord> sink) {
        Evaluation e = new Evaluation(model, rewards, SETTINGS);
        assertEquals(4 * 3 * 2, e.images(models(), List.of(SET_A, SET_B)));
        return e.run(models(), List.of(SET_A, SET_B), manager, sink::add, new Evaluation.Listener() {});
    }

    @Test
    void evaluatingTwiceGivesIdenticalScoresAndTheSameNoiseForEveryModel() {
        List<ScoreRecord> first = records();
        // 4 runs x 3 prompts x 2 images x 2 rewards
        assertEquals(48, first.size());
        int arrays = manager.getManagedArrays().size();
        assertEquals(first, evaluate(new ArrayList<>()), "a second evaluation gives the same numbers");
        assertEquals(arrays, manager.getManagedArrays().size(), "every batch and adapter scope was closed");

        // a zero LoRA changes nothing, so on the same noise it scores exactly as the base model
        Iterator<ScoreRecord> base = first.stream().filter(r -> r.model().equals("base")).iterator();
        Iterator<ScoreRecord> zero = first.stream().filter(r -> r.model().equals("zero")).iterator();
        while (base.hasNext()) {
            ScoreRecord b = base.next();
            ScoreRecord z = zero.next();
            assertEquals(b.prompt(), z.prompt());
            assertEquals(b.image(), z.image());
            assertEquals(b.score(), z.score(), 0.0, "base vs zero LoRA on " + b);
        }
        // run 1 of two-runs is the zero LoRA too; run 0 (trained) differs
        List<Double> zeroScores = first.stream().filter(r -> r.model().equals("zero")).map(ScoreRecord::score).toList();
        List<Double> run1 = first.stream().filter(r -> r.model().equals("two-runs") && r.run() == 1)
                .map(ScoreRecord::score).toList();
        List<Double> run0 = first.stream().filter(r -> r.model().equals("two-runs") && r.run() == 0)
                .map(ScoreRecord::score).toList();
        assertEquals(zeroScores, run1);
        assertTrue(!run0.equals(run1), "trained adapters change the scores");
    }

    @Test
    void scoresAreWrittenAsJsonLinesWithTheDocumentedSchema(@TempDir Path dir) throws Exception {
        List<ScoreRecord> records;
        try (EvalFolder folder = new EvalFolder(dir)) {
            records = new Evaluation(model, rewards, SETTINGS).run(List.of(EvalModel.base(),
                    new EvalModel("two-runs", List.of(trainedLora, zeroLora))), List.of(SET_B), manager, folder,
                    new Evaluation.Listener() {});
        }
        List<String> lines = Files.readAllLines(dir.resolve(EvalFolder.SCORES), StandardCharsets.UTF_8);
        assertEquals(3 * 2 * 2, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode o = json.readTree(line);
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            assertEquals(ScoreRecord.FIELDS, names, line);
            assertTrue(o.get("model").isTextual() && o.get("checkpoint").isTextual() && o.get("prompt").isTextual()
                    && o.get("prompt_set").isTextual() && o.get("reward").isTextual(), line);
            assertTrue(o.get("run").isInt() && o.get("prompt_index").isInt() && o.get("image").isInt(), line);
            assertTrue(o.get("seed").isIntegralNumber() && o.get("score").isDouble(), line);
            assertEquals(9, o.get("seed").asLong());
        }
        JsonNode first = json.readTree(lines.get(0));
        assertEquals("base", first.get("model").asText());
        assertEquals("base", first.get("checkpoint").asText());
        assertEquals("set_b", first.get("prompt_set").asText());
        assertEquals("a small green star on a navy background", first.get("prompt").asText());
        assertEquals("red", first.get("reward").asText());
        JsonNode last = json.readTree(lines.get(lines.size() - 1));
        assertEquals(1, last.get("run").asInt());
        assertEquals(zeroLora.toString(), last.get("checkpoint").asText());
        assertEquals(records, ScoreRecord.read(dir.resolve(EvalFolder.SCORES)), "lines read back");
        // the file is never replaced
        assertThrows(dev.tailorpo.api.InvalidInputException.class, () -> new EvalFolder(dir));
    }

    @Test
    void tableCellsAreTheClosedFormMeansAndStandardErrors(@TempDir Path dir) {
        List<ScoreRecord> records = records();
        List<RewardInfo> infos = rewards.stream().map(RewardModel::info).toList();
        List<ScoreTables.Entry> entries = ScoreTables.build(records, List.of("base", "zero", "two-runs"), infos,
                List.of("set_a", "set_b"));
        assertEquals(6, entries.size(), "two sets x (seed-pooled, image-pooled, change against base)");
        assertEquals(ScoreTables.Pooling.SEEDS, entries.get(0).pooling());
        assertEquals(ScoreTables.Pooling.IMAGES, entries.get(1).pooling());
        assertEquals(ScoreTables.Pooling.CHANGE, entries.get(2).pooling());
        Table seeds = entries.get(0).table();
        Table images = entries.get(1).table();
        Table change = entries.get(2).table();
        assertEquals(List.of("zero", "two-runs"), change.rows().stream().map(Table.Row::header).toList(),
                "a change row per model but the base");
        assertEquals(Better.HIGHER, seeds.columns().get(0).better());
        assertEquals(Better.LOWER, seeds.columns().get(1).better());

        for (int c = 0; c < 2; c++) {
            String reward = c == 0 ? "red" : "blue";
            // base: 2 prompts x 2 images, one run
            double[] b = scores(records, "base", 0, reward, "set_a");
            assertEquals(4, b.length);
            assertEstimate(mean(b), se(b), 4, 1, seeds.cell(0, c));
            // two runs: the run is the unit
            double[] r0 = scores(records, "two-runs", 0, reward, "set_a");
            double[] r1 = scores(records, "two-runs", 1, reward, "set_a");
            double[] means = {mean(r0), mean(r1)};
            assertEstimate(mean(means), se(means), 8, 2, seeds.cell(2, c));
            // all images pooled
            double[] all = new double[8];
            System.arraycopy(r0, 0, all, 0, 4);
            System.arraycopy(r1, 0, all, 4, 4);
            assertEstimate(mean(all), se(all), 8, 1, images.cell(2, c));
            assertEstimate(mean(b), se(b), 4, 1, images.cell(0, c));
            // change: each run's image minus the base image of the same prompt, image and seed; runs as the unit
            double[] d0 = differencesToBase(records, "two-runs", 0, reward, "set_a");
            double[] d1 = differencesToBase(records, "two-runs", 1, reward, "set_a");
            double[] changeMeans = {mean(d0), mean(d1)};
            assertEstimate(mean(changeMeans), se(changeMeans), 8, 2, change.cell(1, c));
            double[] dz = differencesToBase(records, "zero", 0, reward, "set_a");
            assertEstimate(mean(dz), se(dz), 4, 1, change.cell(0, c));
            // pairing removes the prompts' and noises' spread: the paired SE differs from the unpaired
            assertTrue(Math.abs(se(dz) - Math.sqrt(se(b) * se(b) + se(scores(records, "zero", 0, reward, "set_a"))
                    * se(scores(records, "zero", 0, reward, "set_a")))) > 1e-9, "paired and unpaired SE coincide");
        }
        // a one-prompt set: N = 2 images per run
        assertEstimate(mean(scores(records, "zero", 0, "red", "set_b")), se(scores(records, "zero", 0, "red", "set_b")),
                2, 1, entries.get(3).table().cell(1, 0));

        try (EvalFolder folder = new EvalFolder(dir)) {
            List<Path> files = folder.writeTables(entries, "# Evaluation");
            assertEquals(19, files.size());
        }
        assertTrue(Files.exists(dir.resolve("table_set_a_change.md")));
        assertTrue(Files.exists(dir.resolve("table_set_a.md")));
        assertTrue(Files.exists(dir.resolve("table_set_b_per_image.tex")));
        assertTrue(Files.exists(dir.resolve("table_set_a.csv")));
    }

    private static void assertEstimate(double mean, double se, int n, int seeds, Cell cell) {
        Estimate e = ((Cell.Value) cell).estimate();
        assertEquals(mean, e.mean(), 1e-12, "mean");
        assertEquals(se, e.se(), 1e-12, "se");
        assertEquals(n, e.n(), "n");
        assertEquals(seeds, e.seeds(), "seeds");
    }

    private static double[] scores(List<ScoreRecord> records, String model, int run, String reward, String set) {
        return records.stream().filter(r -> r.model().equals(model) && r.run() == run && r.reward().equals(reward)
                && r.promptSet().equals(set)).mapToDouble(ScoreRecord::score).toArray();
    }

    /** The model's scores minus the base model's score of the same (prompt, image, seed), in record order. */
    private static double[] differencesToBase(List<ScoreRecord> records, String model, int run, String reward, String set) {
        return records.stream().filter(r -> r.model().equals(model) && r.run() == run && r.reward().equals(reward)
                && r.promptSet().equals(set)).mapToDouble(r -> r.score() - records.stream()
                .filter(b -> b.model().equals("base") && b.reward().equals(reward) && b.promptSet().equals(set)
                        && b.prompt().equals(r.prompt()) && b.image() == r.image() && b.seed() == r.seed())
                .findFirst().orElseThrow().score()).toArray();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** sqrt(sum (x - mean)^2 / (n - 1)) / sqrt(n). */
    private static double se(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1)) / Math.sqrt(v.length);
    }
}
