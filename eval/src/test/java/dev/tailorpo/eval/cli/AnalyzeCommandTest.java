package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tailor analyze guidance} end to end on testdata/sd-tiny with the differentiable test-channel reward. */
class AnalyzeCommandTest {

    @Test
    void guidanceWithZeroAdaptersIsTheBaseModelsTable(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a small red circle on a black background\na large blue square on a white background\n");
        Path zero = dir.resolve("zero.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            // fresh adapters have B = 0: the fine-tuned model is the base model
            Lora.attach(DiffusionModel.load(TestData.sdTiny(), m).unet(), new LoraConfig(2, 2f), m, 3).save(zero);
        }
        String[] base = {"analyze", "guidance", "--model", TestData.sdTiny().toString(), "--reward", "test-channel",
                "--prompts", prompts.toString(), "--steps", "4", "--check-steps", "0,2", "--n", "4", "--batch", "4"};
        Result plain = tailor(base);
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("rises under x+"), plain.out());
        // one row per checked step, each with its 4 samples: "0  4  751  4  1.00  1.00"
        assertEquals(2, plain.out().lines().filter(l -> l.matches("[02]\\s+[42]\\s+\\d+\\s+4\\s+[01]\\.\\d\\d\\s+[01]\\.\\d\\d")).count(),
                plain.out());

        Result withZero = tailor(append(base, "--lora", zero.toString()));
        assertEquals(0, withZero.code(), withZero.err());
        assertEquals(plain.out(), withZero.out());

        // a trained adapter file of another rank loads with the configuration it implies
        Result trained = tailor(append(base, "--lora", TestData.sdTiny("trainer").toString()));
        assertEquals(0, trained.code(), trained.err());

        Result missing = tailor(append(base, "--lora", dir.resolve("nothing").toString()));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nothing") && missing.err().contains("do not exist"), missing.err());
    }

    private static String[] append(String[] args, String... more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }
}
