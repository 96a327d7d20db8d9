package dev.tailorpo.eval.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rehearsal of the paper's experiment: {@code configs/experiments/sd15-paper.yaml} itself, run
 * with its paths pointed at the committed miniature models (SD 1.5 with its VAE, the tiny CLIP and
 * aesthetic head, the tiny ImageReward and HPSv2) and its scale cut to one seed and one iteration
 * per run (the budget, not the setting: 20 DDIM steps, eta 1, guidance 5, LoRA rank 4 and each
 * method's defaults stay). Every method trains on both training rewards; the report holds Tables 1
 * to 4, Figs. 2 and 4 and the grids of decoded images, every method a row and every reward a column,
 * every value finite; a second run resumes, trains nothing and reports the same numbers. The same
 * command by hand: docs/EXPERIMENTS.md.
 */
class Sd15PaperRehearsalTest {
    private static final List<String> METHODS = List.of("TailorPO", "TailorPO-G", "D3PO", "SPO", "DDPO");
    private static final List<String> REWARDS = List.of("laion-aesthetic", "image-reward", "hpsv2", "clip-score",
            "jpeg-compressibility");

    /** The -D overrides: the paths of the miniature files, then the rehearsal's scale. */
    static List<String> overrides() throws IOException {
        Path irDir = TestData.testdata("imagereward-tiny");
        String irHeads = Integer.toString(new ObjectMapper().readTree(irDir.resolve("config.json").toFile())
                .get("vision").get("heads").asInt());
        Path hpsDir = TestData.testdata("hpsv2-tiny");
        String clip = TestData.sdTiny("clip").toString();
        String head = TestData.sdTiny("aesthetic", "model.safetensors").toString();
        List<String> d = new ArrayList<>(List.of(
                "train.model=" + TestData.sdTiny(),
                "rewards[0].options.clip=" + clip,
                "rewards[0].options.head=" + head,
                "rewards[1].options.checkpoint=" + irDir.resolve("ImageReward.pt"),
                "rewards[1].options.vision_heads=" + irHeads,
                "evaluation.reward_options.laion-aesthetic.clip=" + clip,
                "evaluation.reward_options.laion-aesthetic.head=" + head,
                "evaluation.reward_options.image-reward.checkpoint=" + irDir.resolve("ImageReward.pt"),
                "evaluation.reward_options.image-reward.vision_heads=" + irHeads,
                "evaluation.reward_options.hpsv2.checkpoint=" + hpsDir.resolve("HPS_tiny.pt"),
                "evaluation.reward_options.hpsv2.model_config=" + hpsDir.resolve("open_clip_config.json"),
                "evaluation.reward_options.clip-score.clip=" + clip,
                "evaluation.reward_options.clip-score.tokenizer=" + TestData.sdTiny("tokenizer"),
                // the scale: one seed, one iteration of one prompt per run, one image per prompt set, one sample per analysis
                "seeds=[0]",
                "train.engine.prompts_per_iteration=1",
                "train.engine.sample_budget=1",
                "evaluation.first=1",
                "evaluation.images_per_prompt=1",
                "evaluation.grid_prompts=1",
                "analyses.guidance.n=1",
                "analyses.guidance.batch=1",
                "analyses.order_consistency.pairs=1",
                "analyses.order_consistency.batch=1"));
        List<String> args = new ArrayList<>();
        for (String o : d) {
            args.add("-D" + o);
        }
        return args;
    }

    @Test
    void thePaperExperimentRunsOnTheMiniatureModels(@TempDir Path dir) throws IOException {
        String previousHome = System.getProperty("tailor.home");
        // as ./tailor runs it: the config's relative paths (prompt sets, vocabulary) from the repository
        System.setProperty("tailor.home", TestData.repo().toString());
        try {
            Path out = dir.resolve("exp");
            List<String> args = new ArrayList<>(List.of("experiment",
                    TestData.repo().resolve("configs/experiments/sd15-paper.yaml").toString(), "--out", out.toString()));
            args.addAll(overrides());
            long started = System.nanoTime();
            Result first = tailor(args.toArray(String[]::new));
            System.out.printf("sd15-paper rehearsal: %.0f s%n", (System.nanoTime() - started) / 1e9);
            assertEquals(0, first.code(), first.err() + first.out());

            String report = Files.readString(out.resolve("report.md"));
            for (String section : new String[] {"## Table 1", "## Table 2", "## Table 3", "## Table 4", "## Fig. 2", "## Fig. 4"}) {
                assertTrue(report.contains(section), "no " + section + " in the report");
            }
            assertTrue(report.contains("## Table 3: methods on unseen prompts (imagenet\\_animals\\_unseen)"),
                    "Table 3 is on the held-out animals");
            Path files = out.resolve("report-files");
            List<String> models = new ArrayList<>(List.of("base"));
            models.addAll(METHODS);
            checkTable(files.resolve("table2.csv"), models);
            checkTable(files.resolve("table3.csv"), models);
            for (String method : METHODS) {
                checkTable(files.resolve("table4-" + method.toLowerCase(Locale.ROOT) + ".csv"),
                        List.of("base", "trained on laion-aesthetic", "trained on image-reward"));
            }
            for (String file : List.of("table1.csv", "fig2-table.csv", "fig2.png", "fig4-laion-aesthetic.png",
                    "fig4-image-reward.png", "grid-simple_animals.png", "grid-imagenet_animals_unseen.png")) {
                assertTrue(Files.size(files.resolve(file)) > 0, file);
            }

            String table2 = Files.readString(files.resolve("table2.csv"));
            Result again = tailor(args.toArray(String[]::new));
            assertEquals(0, again.code(), again.err());
            assertFalse(again.out().lines().anyMatch(l -> l.startsWith("train ")), "a finished experiment trains nothing: "
                    + again.out());
            assertEquals(table2, Files.readString(files.resolve("table2.csv")), "the resumed report's numbers");
        } finally {
            if (previousHome == null) {
                System.clearProperty("tailor.home");
            } else {
                System.setProperty("tailor.home", previousHome);
            }
        }
    }

    /** A table's CSV: exactly {@code rows}, a column per evaluation reward, every mean a finite number. */
    private static void checkTable(Path csv, List<String> rows) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        for (String reward : REWARDS) {
            assertTrue(header.contains(reward), csv.getFileName() + ": no column " + reward + " in " + header);
        }
        assertEquals(rows, lines.subList(1, lines.size()).stream().map(l -> l.split(",")[0]).toList(), csv.getFileName() + " rows");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            for (String reward : REWARDS) {
                double mean = Double.parseDouble(cells[header.indexOf(reward)]);
                assertTrue(Double.isFinite(mean), csv.getFileName() + ": " + cells[0] + " " + reward + " = " + mean);
            }
        }
    }
}
