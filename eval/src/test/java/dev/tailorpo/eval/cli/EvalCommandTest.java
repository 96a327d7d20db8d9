package dev.tailorpo.eval.cli;

import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import dev.tailorpo.eval.gen.ScoreRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tailor eval} end to end on testdata/sd-tiny with the test-channel reward. */
class EvalCommandTest {

    @Test
    void evaluatesBaseAndATwoRunMethodAndWritesScoresAndTables(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("tiny_set.txt");
        Files.writeString(prompts, "# two prompts\na small red circle on a black background\n\n"
                + "a large blue square on a white background\nnot used: cut by --first\n");
        Path lora = TestData.sdTiny("trainer");
        Path out = dir.resolve("eval");
        String[] args = {"eval", "base", "tuned=" + lora + "," + lora.resolve("pytorch_lora_weights.safetensors"),
                "--model", TestData.sdTiny().toString(), "--reward", "test-channel", "--reward-option", "test-channel:channel=2",
                "--prompts", prompts.toString(), "--first", "2", "--n", "2", "--steps", "2", "--batch", "3",
                "--out", out.toString()};
        // the same file twice is refused: it would be one run counted as two seeds
        Result twice = tailor(args);
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("lists") && twice.err().contains("twice"), twice.err());

        args[2] = "tuned=" + lora;
        Result r = tailor(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("tiny_set (2 prompts x 2 images):"), r.out());
        assertTrue(r.out().contains("| base "), r.out());
        assertTrue(r.out().contains("| tuned "), r.out());
        assertTrue(r.out().contains("8 scores of 8 images in"), r.out());
        assertTrue(r.err().contains("model tuned: "), r.err());
        List<ScoreRecord> records = ScoreRecord.read(out.resolve("scores.jsonl"));
        assertEquals(8, records.size());
        assertEquals("test-channel", records.get(0).reward());
        for (String f : List.of("eval.json", "summary.md", "table_tiny_set.md", "table_tiny_set.csv", "table_tiny_set.tex",
                "grid_tiny_set.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("summary.md")).contains("(grid_tiny_set.png)"));
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(out.resolve("grid_tiny_set.png").toFile());
        assertTrue(grid.getWidth() > 2 * 128 && grid.getHeight() > 2 * 128, "2 models x 2 prompts, x4");
        // never into a folder that holds results
        Result again = tailor(args);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("is not empty"), again.err());
        assertEquals(records, ScoreRecord.read(out.resolve("scores.jsonl")));
    }

    @Test
    void unknownRewardsAndBadOptionsAreReportedByName(@TempDir Path dir) {
        Result r = tailor("eval", "--model", TestData.sdTiny().toString(), "--reward", "no-such-reward",
                "--out", dir.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no-such-reward"), r.err());
        Result o = tailor("eval", "--reward", "test-channel", "--reward-option", "other:channel=1");
        assertEquals(64, o.code());
        assertTrue(o.err().contains("reward 'other' is not evaluated"), o.err());
        Result m = tailor("eval", "runs/does-not-exist");
        assertEquals(2, m.code());
        assertTrue(m.err().contains("does-not-exist"), m.err());
    }
}
