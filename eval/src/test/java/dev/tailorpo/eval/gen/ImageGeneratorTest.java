package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generation on testdata/sd-tiny: fixed keyed noise, determinism, LoRA. */
class ImageGeneratorTest {
    private static final String RED = "a small red circle on a black background";
    private static final String BLUE = "a large blue square on a white background";
    private static final String GREEN = "a small green star on a navy background";
    private static final SamplingSettings FAST = new SamplingSettings(4, 1.0, 5.0);

    private static NDManager manager;
    private static DiffusionModel model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = DiffusionModel.load(TestData.sdTiny(), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static float[] generate(ImageGenerator g, List<ImageKey> keys) {
        try (NDManager m = manager.newSubManager()) {
            return g.generate(keys, m).toFloatArray();
        }
    }

    private static float[] row(float[] batch, int rows, int r) {
        int size = batch.length / rows;
        float[] out = new float[size];
        System.arraycopy(batch, r * size, out, 0, size);
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void sameSeedGivesIdenticalImagesAndEachImageIndexItsOwn() {
        List<ImageKey> keys = ImageGenerator.keys(List.of(RED, BLUE), 2);
        assertEquals(List.of(new ImageKey(0, RED, 0), new ImageKey(0, RED, 1), new ImageKey(1, BLUE, 0),
                new ImageKey(1, BLUE, 1)), keys);
        float[] a = generate(new ImageGenerator(model, FAST, 7), keys);
        float[] b = generate(new ImageGenerator(model, FAST, 7), keys);
        assertArrayEquals(a, b, "two runs with seed 7");
        try (NDManager m = manager.newSubManager()) {
            NDArray images = new ImageGenerator(model, FAST, 7).generate(keys, m);
            assertArrayEquals(new long[] {4, 3, 32, 32}, images.getShape().getShape());
            float[] v = images.toFloatArray();
            for (float x : v) {
                assertTrue(x >= 0f && x <= 1f, "pixel " + x + " outside [0, 1]");
            }
        }
        assertTrue(maxAbsDiff(row(a, 4, 0), row(a, 4, 1)) > 0.05, "image 0 and image 1 of a prompt differ");
        float[] other = generate(new ImageGenerator(model, FAST, 8), keys);
        assertTrue(maxAbsDiff(row(a, 4, 0), row(other, 4, 0)) > 0.05, "another seed gives another image");
    }

    @Test
    void initialNoiseDependsOnlyOnSeedPromptTextAndImageIndex() {
        ImageGenerator g = new ImageGenerator(model, FAST, 3);
        try (NDManager m = manager.newSubManager()) {
            float[] alone = g.initialNoise(List.of(new ImageKey(0, BLUE, 2)), m).toFloatArray();
            List<ImageKey> batch = List.of(new ImageKey(0, RED, 0), new ImageKey(1, GREEN, 5), new ImageKey(2, BLUE, 2),
                    new ImageKey(3, RED, 1));
            float[] mixed = g.initialNoise(batch, m).toFloatArray();
            assertArrayEquals(alone, row(mixed, 4, 2), "same noise in a batch of 4 with other prompts");
            // the prompt's position in its list does not enter the key, its text does
            float[] moved = g.initialNoise(List.of(new ImageKey(41, BLUE, 2)), m).toFloatArray();
            assertArrayEquals(alone, moved, "same noise at another prompt index");
            float[] otherImage = g.initialNoise(List.of(new ImageKey(0, BLUE, 3)), m).toFloatArray();
            float[] otherPrompt = g.initialNoise(List.of(new ImageKey(0, GREEN, 2)), m).toFloatArray();
            assertTrue(maxAbsDiff(alone, otherImage) > 1, "image index changes the noise");
            assertTrue(maxAbsDiff(alone, otherPrompt) > 1, "prompt text changes the noise");
            float[] otherSeed = new ImageGenerator(model, FAST, 4).initialNoise(List.of(new ImageKey(0, BLUE, 2)), m)
                    .toFloatArray();
            assertTrue(maxAbsDiff(alone, otherSeed) > 1, "the seed changes the noise");
            // standard normal: 4 x 16 x 16 values
            double sum = 0;
            double sq = 0;
            for (float x : mixed) {
                sum += x;
                sq += x * x;
            }
            assertEquals(0, sum / mixed.length, 0.1);
            assertEquals(1, sq / mixed.length, 0.1);
        }
    }

    @Test
    void imagesDoNotDependOnBatchSizeOrBatchCompany() {
        ImageGenerator g = new ImageGenerator(model, FAST, 11);
        List<ImageKey> keys = ImageGenerator.keys(List.of(RED, BLUE, GREEN), 2);
        Map<ImageKey, float[]> byOnes = new LinkedHashMap<>();
        g.generate(keys, 1, manager, (ks, images) -> byOnes.put(ks.get(0), images.toFloatArray()));
        List<float[]> byFour = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        g.generate(keys, 4, manager, (ks, images) -> {
            sizes.add(ks.size());
            float[] v = images.toFloatArray();
            for (int r = 0; r < ks.size(); r++) {
                byFour.add(row(v, ks.size(), r));
            }
        });
        assertEquals(List.of(4, 2), sizes);
        assertEquals(6, byOnes.size());
        for (int i = 0; i < keys.size(); i++) {
            // libtorch may sum in another order for another batch size: equal up to float rounding
            assertTrue(maxAbsDiff(byOnes.get(keys.get(i)), byFour.get(i)) < 1e-4, "image " + keys.get(i));
        }
    }

    @Test
    void zeroLoraGivesTheBaseImagesExactlyAndATrainedOneChangesThem(@TempDir Path dir) {
        List<ImageKey> keys = ImageGenerator.keys(List.of(RED, GREEN), 2);
        ImageGenerator g = new ImageGenerator(model, FAST, 5);
        float[] base = generate(g, keys);

        Path zero = dir.resolve("zero.safetensors");
        try (NDManager m = manager.newSubManager()) {
            Lora fresh = Lora.attach(model.unet(), new LoraConfig(2, 8f), m, 123); // A random, B zero
            fresh.save(zero);
            fresh.detach();
        }
        LoraConfig inferred = LoraWeights.config(zero);
        assertEquals(2, inferred.rank());
        assertEquals(8f, inferred.alpha());
        try (NDManager m = manager.newSubManager()) {
            Lora lora = LoraWeights.attach(model, zero, m);
            try {
                assertArrayEquals(base, generate(g, keys), 0f, "a LoRA whose B is zero changes nothing");
            } finally {
                lora.detach();
            }
        }

        Path trained = TestData.sdTiny("trainer", "pytorch_lora_weights.safetensors"); // saved by diffusers/peft
        assertEquals(4, LoraWeights.config(trained).rank());
        assertEquals(4f, LoraWeights.config(trained).alpha(), "no alpha in the file: alpha = rank");
        assertEquals(trained, LoraWeights.resolve(trained.getParent()));
        try (NDManager m = manager.newSubManager()) {
            Lora lora = LoraWeights.attach(model, trained, m);
            try {
                assertTrue(maxAbsDiff(base, generate(g, keys)) > 1e-3, "trained adapters change the images");
            } finally {
                lora.detach();
            }
        }
        assertArrayEquals(base, generate(g, keys), "detached: the base model again");
    }
}
