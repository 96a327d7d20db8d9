package dev.tailorpo.diffusion.models.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with HPSv2's {@code preprocess_val} (testdata/hpsv2-tiny): every image batch, with and
 * without antialiasing, the gradient through it, and ResizeMaxSize's geometry.
 */
class OpenClipImageProcessorTest {
    private static final Path DIR = TestData.testdata("hpsv2-tiny");

    private static int size;
    private static float[] mean;
    private static float[] std;
    private static JsonNode batches;
    private static NDManager manager;
    private static SafeTensorsFile reference;

    @BeforeAll
    static void load() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(DIR.resolve("open_clip_config.json").toFile());
        size = config.at("/model_cfg/vision_cfg/image_size").asInt();
        mean = floats(config.at("/preprocess_cfg/mean"));
        std = floats(config.at("/preprocess_cfg/std"));
        batches = json.readTree(DIR.resolve("reference.json").toFile()).get("batches");
        manager = NDManager.newBaseManager();
        reference = SafeTensorsFile.open(DIR.resolve("reference.safetensors"));
    }

    @AfterAll
    static void close() {
        reference.close();
        manager.close();
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    private static List<String> batchNames() {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = batches.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        assertFalse(names.isEmpty());
        return names;
    }

    private static void check(String key, NDArray actual, double atol) {
        NDArray expected = reference.load(key, actual.getManager());
        TestData.assertClose(expected, actual, atol, 0, key);
        System.out.printf("hpsv2 %-34s max |diff| %.3g%n", key, TestData.maxAbsDiff(expected, actual));
    }

    @Test
    void everyBatchMatchesPreprocessVal() {
        int antialiased = 0;
        for (String batch : batchNames()) {
            try (NDManager m = manager.newSubManager()) {
                NDArray images = reference.load(batch + ".images", m);
                NDArray y = new OpenClipImageProcessor(size, mean, std, false).preprocess(images);
                assertSame(m, y.getManager());
                check(batch + ".pixel_values", y, 1e-5);
                if (reference.keys().contains(batch + ".pixel_values_antialias")) {
                    check(batch + ".pixel_values_antialias", new OpenClipImageProcessor(size, mean, std, true).preprocess(images), 1e-5);
                    antialiased++;
                }
            }
        }
        assertTrue(antialiased > 0, "no antialiased reference was checked");
    }

    @Test
    void gradientsMatchUpstream() {
        int checked = 0;
        for (String batch : batchNames()) {
            try (NDManager m = manager.newSubManager()) {
                NDArray images = reference.load(batch + ".images", m);
                NDArray gradPixels = reference.load(batch + ".grad_pixel_values", m);
                images.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(new OpenClipImageProcessor(size, mean, std, false).preprocess(images).mul(gradPixels).sum());
                }
                NDArray expected;
                String key;
                if (reference.keys().contains(batch + ".grad_images")) {
                    key = batch + ".grad_images";
                    expected = reference.load(key, m);
                    checked++;
                } else {
                    // not resized: d images = d pixel_values / std per channel (the README's closed form)
                    key = batch + ".grad_pixel_values / std";
                    expected = gradPixels.div(m.create(std, new Shape(1, 3, 1, 1)));
                }
                NDArray actual = images.getGradient();
                double scale = expected.abs().max().getFloat();
                TestData.assertClose(expected, actual, 1e-3 * scale, 1e-3, key);
                System.out.printf("hpsv2 %-34s max |diff| %.3g (largest |grad| %.3g)%n", key, TestData.maxAbsDiff(expected, actual), scale);
            }
        }
        assertTrue(checked > 0, "no grad_images reference was checked");
    }

    @Test
    void geometryIsReferenceJsons() {
        OpenClipImageProcessor p = new OpenClipImageProcessor(size, mean, std, false);
        for (String batch : batchNames()) {
            JsonNode b = batches.get(batch);
            OpenClipImageProcessor.Geometry g = p.geometry(b.get("height").asInt(), b.get("width").asInt());
            assertEquals(b.at("/resized/0").asInt(), g.height(), batch);
            assertEquals(b.at("/resized/1").asInt(), g.width(), batch);
            JsonNode pad = b.get("padding_left_top_right_bottom");
            assertEquals(pad.get(0).asInt(), g.padLeft(), batch);
            assertEquals(pad.get(1).asInt(), g.padTop(), batch);
            assertEquals(pad.get(2).asInt(), g.padRight(), batch);
            assertEquals(pad.get(3).asInt(), g.padBottom(), batch);
            assertEquals(b.get("scale").asDouble() != 1.0, g.resized(), batch);
        }
    }

    @Test
    void longerSideAtTheModelSizeButNotSquareIsRefused() {
        // upstream's quirk (reference.json quirks_checked): ResizeMaxSize passes it unchanged, unpadded
        OpenClipImageProcessor p = new OpenClipImageProcessor(size, mean, std, false);
        OpenClipImageProcessor.Geometry g = p.geometry(size, size - 5);
        assertFalse(g.resized());
        assertEquals(size - 5, g.outputWidth());
        try (NDManager m = manager.newSubManager()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 3, size, size - 5))));
            assertTrue(e.getMessage().contains(size + "x" + (size - 5)), e.getMessage());
        }
    }

    @Test
    void refusesWhatItCannotTake() {
        OpenClipImageProcessor p = new OpenClipImageProcessor(size, mean, std, false);
        try (NDManager m = manager.newSubManager()) {
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 3, 40, 40), DataType.FLOAT64)));
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 4, 40, 40))));
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(40, 40))));
            // a side that rounds to no pixel at all
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 3, 1, 4 * size))));
        }
    }
}
