package dev.tailorpo.eval.experiment;

import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import dev.tailorpo.eval.gen.ScoreTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tailor experiment} end to end on testdata/sd-tiny with tiny budgets: the report holds the
 * tables, and a rerun after a "kill" trains only what is missing and leaves finished runs and cached
 * evaluations untouched.
 */
class ExperimentTest {

    static Path tinyConfig(Path dir) throws IOException {
        Path train = dir.resolve("tiny_train.txt");
        Files.writeString(train, "a red circle\na blue square\n");
        Path unseen = dir.resolve("tiny_unseen.txt");
        Files.writeString(unseen, "a green star\n");
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, String.join("\n",
                "train:",
                "  model: " + TestData.sdTiny(),
                "  prompts: " + train,
                "  sampling: {steps: 2, eta: 1.0, guidance_scale: 5.0}",
                "  engine: {prompts_per_iteration: 1, sample_budget: 2, checkpoint_every: 1}",
                "methods:",
                "  - {label: TailorPO, method: tailorpo, settings: {train_steps: [0, 1]}}",
                "  - {label: D3PO, method: d3po}",
                "rewards: [{id: colorfulness}]",
                "seeds: [0]",
                "evaluation:",
                "  rewards: [colorfulness, test-channel]",
                "  train_prompts: " + train,
                "  unseen_prompts: " + unseen,
                "  images_per_prompt: 2",
                "  batch: 4",
                "  grid_prompts: 2",
                "analyses:",
                "  guidance: {n: 2, steps: [0], batch: 2}",
                "  order_consistency: {pairs: 3, batch: 3}",
                ""));
        return config;
    }

    /** Every file under {@code dir} with its modification time and content. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                FileTime t = Files.getLastModifiedTime(p);
                out.put(dir.relativize(p).toString(), t.toMillis() + ":" + java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    @Test
    void rerunAfterAKillTrainsOnlyWhatIsMissingAndTheReportHasTheTables(@TempDir Path dir) throws Exception {
        Path config = tinyConfig(dir);
        Path out = dir.resolve("exp");
        Result first = tailor("experiment", config.toString(), "--out", out.toString());
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(first.out().contains("tiny_train:") && first.out().contains("tiny_unseen:"), first.out());
        assertTrue(first.out().contains("| TailorPO ") && first.out().contains("| D3PO ") && first.out().contains("| base "),
                first.out());
        for (String set : new String[] {"tiny_train", "tiny_unseen"}) {
            assertTrue(first.out().contains(set + ", " + ScoreTables.Pooling.CHANGE.description() + ":"), first.out());
        }
        assertTrue(first.out().contains("report: "), first.out());
        Path runs = out.resolve("runs");
        Path tailor = runs.resolve("TailorPO-colorfulness-s0");
        Path d3po = runs.resolve("D3PO-colorfulness-s0");
        assertTrue(Files.exists(tailor.resolve("DONE")) && Files.exists(d3po.resolve("DONE")));

        String md = Files.readString(out.resolve("report.md"));
        for (String heading : new String[] {"## Table 2: methods on the training prompts (tiny\\_train)",
                "## Table 3: methods on unseen prompts (tiny\\_unseen)", "## Fig. 4: reward during training",
                "## Table 1: guidance sanity check", "## Fig. 2: preference-order consistency", "## Samples"}) {
            assertTrue(md.contains(heading), heading + "\n" + md);
        }
        assertFalse(md.contains("Table 4"), "one training reward: no Table 4");
        // Markdown escapes underscores in text
        // Table 2: a header row with the reward, then base, TailorPO, D3PO with mean ± SE (N=4 images)
        String table2 = md.substring(md.indexOf("## Table 2"), md.indexOf("## Table 3"));
        assertTrue(table2.contains("test-channel") && table2.contains("colorfulness"), table2);
        for (String row : new String[] {"| base ", "| TailorPO ", "| D3PO "}) {
            String line = table2.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow(() -> new AssertionError(row + table2));
            assertTrue(line.contains("±") && line.contains("N=4"), line);
        }
        String table1 = md.substring(md.indexOf("## Table 1"), md.indexOf("## Fig. 2"));
        assertTrue(table1.contains("rises under x+") && table1.lines().anyMatch(l -> l.matches("\\| 2 +\\| +0 .*")), table1);
        String fig2 = md.substring(md.indexOf("## Fig. 2"));
        assertEquals(2, fig2.lines().filter(l -> l.matches("\\| [12] +\\|.*")).count(), fig2);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<table") && html.contains("Table 3") && html.contains("data:image/png;base64"));
        assertTrue(Files.isRegularFile(out.resolve("report-files").resolve("table2.csv")));

        // "kill": the D3PO run is lost entirely, and the TailorPO run was stopped before its end
        Map<String, String> tailorBefore = snapshot(tailor);
        Map<String, String> baseEvalBefore = snapshot(out.resolve("eval").resolve("base"));
        String d3poMetrics = Files.readString(d3po.resolve("metrics.jsonl"));
        deleteTree(d3po);
        Thread.sleep(20);
        Result second = tailor("experiment", config.toString(), "--out", out.toString());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("run TailorPO-colorfulness-s0: finished, skipped"), second.err());
        assertTrue(second.err().contains("evaluation of base: cached"), second.err());
        assertTrue(second.err().contains("order consistency: cached"), second.err());
        assertEquals(tailorBefore, snapshot(tailor), "the finished run is untouched");
        assertEquals(baseEvalBefore, snapshot(out.resolve("eval").resolve("base")), "its evaluation is reused");
        assertTrue(Files.exists(d3po.resolve("DONE")), "the missing run was trained again");
        assertEquals(d3poMetrics.lines().count(), Files.readString(d3po.resolve("metrics.jsonl")).lines().count());
        // seeded: the retrained run is the same run, so its numbers match the first report's
        assertEquals(tableRows(first.out()), tableRows(second.out()));

        // a changed method setting is not silently served by the old run
        String changed = Files.readString(config).replace("train_steps: [0, 1]", "train_steps: [0]");
        Files.writeString(config, changed);
        Result third = tailor("experiment", config.toString(), "--out", out.toString());
        assertEquals(2, third.code(), third.err());
        assertTrue(third.err().contains("TailorPO-colorfulness-s0") && third.err().contains("another config"), third.err());
        assertNotEquals(-1, third.err().indexOf("error:"));
    }

    @Test
    void reportOnlyTrainsNothingAndReportsTheFinishedRunsAlone(@TempDir Path dir) throws Exception {
        Path config = tinyConfig(dir);
        Path out = dir.resolve("exp");
        String[] noAnalyses = {"-Danalyses.guidance.enabled=false", "-Danalyses.order_consistency.enabled=false"};
        // only TailorPO trained, with exactly the settings the full config gives it
        Result tailorOnly = tailor(concat(new String[] {"experiment", config.toString(), "--out", out.toString(),
                "-Dmethods=[{label: TailorPO, method: tailorpo, settings: {train_steps: [0, 1]}}]"}, noAnalyses));
        assertEquals(0, tailorOnly.code(), tailorOnly.err());

        Result report = tailor(concat(new String[] {"experiment", config.toString(), "--out", out.toString(),
                "--report-only"}, noAnalyses));
        assertEquals(0, report.code(), report.err());
        assertTrue(report.err().contains("run D3PO-colorfulness-s0: not finished, left out of the report"), report.err());
        assertFalse(Files.exists(out.resolve("runs").resolve("D3PO-colorfulness-s0")), "nothing trained");
        assertTrue(report.err().contains("evaluation of TailorPO-colorfulness-s0: cached"), report.err());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("left out of every table and figure: D3PO-colorfulness-s0."), md);
        String table2 = md.substring(md.indexOf("## Table 2"), md.indexOf("## Table 3"));
        assertTrue(table2.lines().anyMatch(l -> l.startsWith("| TailorPO ")), table2);
        assertFalse(table2.contains("D3PO"), table2);
        // the tables printed are the first run's: the same numbers for the same run
        assertEquals(tableRows(tailorOnly.out()), tableRows(report.out()));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void anUnfinishedRunIsResumedNotRestarted(@TempDir Path dir) throws Exception {
        Path config = tinyConfig(dir);
        String text = Files.readString(config).replace("  - {label: D3PO, method: d3po}\n", "")
                .replace("sample_budget: 2", "sample_budget: 4")
                .replace("  guidance: {n: 2, steps: [0], batch: 2}", "  guidance: {enabled: false, n: 2, steps: [0], batch: 2}")
                .replace("  order_consistency: {pairs: 3, batch: 3}", "  order_consistency: {enabled: false, pairs: 3, batch: 3}");
        Files.writeString(config, text);
        Path out = dir.resolve("exp");
        Result first = tailor("experiment", config.toString(), "--out", out.toString());
        assertEquals(0, first.code(), first.err());
        Path run = out.resolve("runs").resolve("TailorPO-colorfulness-s0");
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        // as if killed after the first checkpoint: no DONE, no final adapters, the last iteration lost
        Files.delete(run.resolve("DONE"));
        Files.delete(run.resolve("pytorch_lora_weights.safetensors"));
        Result second = tailor("experiment", config.toString(), "--out", out.toString());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("resuming after iteration"), second.err());
        assertTrue(Files.exists(run.resolve("DONE")));
        assertEquals(metrics, Files.readString(run.resolve("metrics.jsonl")));
    }

    @Test
    void badConfigsAreReportedWithTheKeyPath(@TempDir Path dir) throws Exception {
        Path config = tinyConfig(dir);
        String text = Files.readString(config);
        Files.writeString(config, text.replace("  images_per_prompt: 2", "  images_per_promt: 2"));
        Result unknown = tailor("experiment", config.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("evaluation.images_per_promt: unknown key"), unknown.err());
        assertTrue(unknown.err().contains("images_per_prompt"), unknown.err());

        Files.writeString(config, text.replace("sample_budget: 2", "sample_budgit: 2"));
        Result inTrain = tailor("experiment", config.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, inTrain.code());
        assertTrue(inTrain.err().contains("train.engine.sample_budgit: unknown key"), inTrain.err());

        Files.writeString(config, text.replace("  images_per_prompt: 2", "  images_per_prompt: 0"));
        Result bad = tailor("experiment", config.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("evaluation") && bad.err().contains("images_per_prompt: must be >= 1"), bad.err());

        Files.writeString(config, text.replace("seeds: [0]", "seeds: [0, 0]"));
        Result seeds = tailor("experiment", config.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, seeds.code());
        assertTrue(seeds.err().contains("seeds"), seeds.err());

        Files.writeString(config, text.replace("method: d3po", "method: d4po"));
        Result method = tailor("experiment", config.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, method.code());
        assertTrue(method.err().contains("d4po"), method.err());
        assertFalse(Files.exists(dir.resolve("x").resolve("runs")), "nothing trains before the config is checked");

        Result override = tailor("experiment", config.toString(), "-Devaluation.firstt=3");
        assertEquals(2, override.code());
        assertTrue(override.err().contains("firstt"), override.err());
    }

    @Test
    void committedConfigsLoad() {
        Path home = TestData.sdTiny().getParent().getParent();
        for (String f : new String[] {"configs/demo.yaml", "configs/experiments/shapes-study.yaml",
                "configs/experiments/sd15-paper.yaml"}) {
            ExperimentConfig c = ExperimentConfig.load(home.resolve(f), Map.of(), home);
            assertFalse(c.methods().isEmpty(), f);
        }
        ExperimentConfig study = ExperimentConfig.load(home.resolve("configs/experiments/shapes-study.yaml"), Map.of(), home);
        assertEquals(5 * 2 * 3, study.methods().size() * study.rewards().size() * study.seeds().size());
        assertEquals(128, study.train().engine().sampleBudget(), "the shared settings come from configs/shapes-train.yaml");
        ExperimentConfig paper = ExperimentConfig.load(home.resolve("configs/experiments/sd15-paper.yaml"),
                Map.of("train.model", "/models/sd15"), home);
        assertEquals("/models/sd15", paper.train().model());
        assertEquals(20, paper.train().sampling().steps());
        assertEquals(10000, paper.train().engine().sampleBudget());
        assertEquals(List.of("laion-aesthetic", "image-reward", "hpsv2", "clip-score", "jpeg-compressibility"),
                paper.evaluation().rewards(), "the paper's aesthetic and ImageReward columns, and HPSv2 and PickScore");
    }

    private static String tableRows(String out) {
        StringBuilder b = new StringBuilder();
        out.lines().filter(l -> l.startsWith("| ")).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
