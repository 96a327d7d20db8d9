package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.cli.InProcessTailor.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainRewardCommandTest {

    @Test
    void trainsAShortRunAndRefusesToOverwriteWithoutForce(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("critic");
        String[] args = {"train-reward", "--kind", "alignment", "--steps", "2", "--batch", "4", "--eval-samples", "8",
                "--out", out.toString()};
        Result r = tailor(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("training alignment critic"), r.err());
        assertTrue(r.err().contains("step      2/2"), r.err());
        assertTrue(r.out().startsWith("alignment critic ("), r.out());
        assertTrue(r.out().contains("accuracy_all_four"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        byte[] weights = Files.readAllBytes(out.resolve("model.safetensors"));

        Result again = tailor(args);
        assertEquals(64, again.code());
        assertTrue(again.err().startsWith("error: model folder "), again.err());
        assertTrue(again.err().contains("already exists; pass --force to replace it"), again.err());
        assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.safetensors")));

        String[] forced = java.util.Arrays.copyOf(args, args.length + 3);
        forced[args.length] = "--force";
        forced[args.length + 1] = "--seed";
        forced[args.length + 2] = "7";
        Result replaced = tailor(forced);
        assertEquals(0, replaced.code(), replaced.err());
        assertFalse(java.util.Arrays.equals(weights, Files.readAllBytes(out.resolve("model.safetensors"))));
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"seed\" : 7"));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Result none = tailor("train-reward");
        assertEquals(64, none.code());
        assertTrue(none.err().startsWith("error: --kind is required"), none.err());

        Result kind = tailor("train-reward", "--kind", "beauty");
        assertEquals(64, kind.code());
        assertTrue(kind.err().startsWith("error: --kind: unknown reward model kind 'beauty'; expected one of aesthetic, "
                + "alignment"), kind.err());

        Result steps = tailor("train-reward", "--kind", "aesthetic", "--steps", "many");
        assertEquals(64, steps.code());
        assertTrue(steps.err().startsWith("error: --steps: expected an integer, got 'many'"), steps.err());

        Result zero = tailor("train-reward", "--kind", "aesthetic", "--batch", "0");
        assertEquals(64, zero.code());
        assertTrue(zero.err().startsWith("error: --batch must be a positive integer, got '0'"), zero.err());

        Result seed = tailor("train-reward", "--kind", "aesthetic", "--seed", "1000003");
        assertEquals(64, seed.code());
        assertTrue(seed.err().contains("evaluation seed must differ"), seed.err());
    }
}
