package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import dev.tailorpo.eval.gen.ImageGenerator;
import dev.tailorpo.eval.gen.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tailor generate} end to end on testdata/sd-tiny. */
class GenerateCommandTest {
    private static final String RED = "a small red circle on a black background";
    private static final String BLUE = "a large blue square on a white background";

    @Test
    void writesOneImagePerPromptAndIndexAndAGridAndNeverOverwrites(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("gen");
        String[] args = {"generate", "--model", TestData.sdTiny().toString(), "--prompt", RED, "--prompt", BLUE,
                "--n", "2", "--steps", "3", "--seed", "5", "--out", out.toString()};
        Result r = tailor(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote 4 images (2 prompts x 2) and grid.png to "), r.out());
        for (String f : List.of("p000_i00.png", "p000_i01.png", "p001_i00.png", "p001_i01.png", "grid.png",
                "generation.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("generation.json")).contains("\"seed\" : 5"));

        // the files hold exactly the generator's images for those keys
        List<BufferedImage> expected;
        try (NDManager m = NDManager.newBaseManager()) {
            DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), m);
            ImageGenerator g = new ImageGenerator(model, new SamplingSettings(3, 1.0, 5.0), 5);
            expected = Images.toPictures(g.generate(ImageGenerator.keys(List.of(RED, BLUE), 2), m));
        }
        String[] names = {"p000_i00.png", "p000_i01.png", "p001_i00.png", "p001_i01.png"};
        for (int i = 0; i < 4; i++) {
            BufferedImage png = ImageIO.read(out.resolve(names[i]).toFile());
            assertEquals(32, png.getWidth());
            assertArrayEquals(expected.get(i).getRGB(0, 0, 32, 32, null, 0, 32), png.getRGB(0, 0, 32, 32, null, 0, 32),
                    names[i]);
        }
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertTrue(grid.getWidth() > 2 * 128 && grid.getHeight() > 2 * 128, "cells enlarged x4");

        byte[] before = Files.readAllBytes(out.resolve("p000_i00.png"));
        Result again = tailor(args);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("is not empty"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("p000_i00.png")));
    }

    @Test
    void promptsAreRequiredAndBadValuesAreUsageErrors(@TempDir Path dir) throws Exception {
        Result none = tailor("generate", "--model", TestData.sdTiny().toString());
        assertEquals(64, none.code());
        assertTrue(none.err().contains("no prompts"), none.err());
        Result eta = tailor("generate", "--prompt", RED, "--eta", "2");
        assertEquals(64, eta.code());
        assertTrue(eta.err().contains("eta must be in [0, 1]"), eta.err());
        Result n = tailor("generate", "--prompt", RED, "--n", "0");
        assertEquals(64, n.code());
        Result model = tailor("generate", "--prompt", RED, "--model", dir.toString());
        assertEquals(2, model.code());
        assertTrue(model.err().contains("has no model_index.json"), model.err());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nothing\n\n");
        Result file = tailor("generate", "--prompts", empty.toString());
        assertEquals(2, file.code());
        assertTrue(file.err().contains("holds no prompts"), file.err());
    }
}
