package dev.tailorpo.diffusion.models.blip;

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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with ImageReward's preprocessing (testdata/imagereward-tiny: the PIL path of
 * {@code ImageReward.score}, ReFL's tensor transform with and without antialiasing, and the
 * gradient through the tensor path).
 */
class BlipImageProcessorTest {
    private static final Path DIR = TestData.testdata("imagereward-tiny");

    private static int size;
    private static float[] mean;
    private static float[] std;
    private static NDManager manager;
    private static SafeTensorsFile reference;

    @BeforeAll
    static void load() throws IOException {
        JsonNode pre = new ObjectMapper().readTree(DIR.resolve("config.json").toFile()).get("preprocess");
        size = pre.get("size").asInt();
        mean = floats(pre.get("mean"));
        std = floats(pre.get("std"));
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

    private static BlipImageProcessor processor(BlipImageProcessor.Mode mode) {
        return new BlipImageProcessor(size, mean, std, mode);
    }

    /** Asserts within {@code atol} and prints the largest difference. */
    private static void check(String key, NDArray actual, double atol) {
        NDArray expected = reference.load(key, manager);
        TestData.assertClose(expected, actual, atol, 0, key);
        System.out.printf("imagereward %-28s max |diff| %.3g%n", key, TestData.maxAbsDiff(expected, actual));
    }

    @Test
    void modelSizeImagesAreOnlyNormalisedInEveryMode() {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = reference.load("images_a", m);
            for (BlipImageProcessor.Mode mode : BlipImageProcessor.Mode.values()) {
                NDArray y = processor(mode).preprocess(a);
                check("a.pixel_values", y, 1e-6);
                assertSame(m, y.getManager());
            }
        }
    }

    @Test
    void pilPathIsPilsFixedPointBicubicExactly() {
        try (NDManager m = manager.newSubManager()) {
            NDArray y = processor(BlipImageProcessor.Mode.PIL).preprocess(reference.load("images_b", m));
            check("b.pil.pixel_values", y, 1e-6);
            assertSame(m, y.getManager());
        }
    }

    @Test
    void tensorPathsAreTorchsBicubicWithAndWithoutAntialiasing() {
        try (NDManager m = manager.newSubManager()) {
            NDArray b = reference.load("images_b", m);
            check("b.tensor.pixel_values", processor(BlipImageProcessor.Mode.TENSOR).preprocess(b), 1e-5);
            check("b.tensor_aa.pixel_values", processor(BlipImageProcessor.Mode.TENSOR_ANTIALIAS).preprocess(b), 1e-5);
        }
    }

    @Test
    void tensorPathGradientMatchesUpstream() {
        try (NDManager m = manager.newSubManager()) {
            NDArray b = reference.load("images_b", m);
            NDArray gradPixels = reference.load("b.tensor.grad_pixel_values", m);
            b.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(processor(BlipImageProcessor.Mode.TENSOR).preprocess(b).mul(gradPixels).sum());
            }
            NDArray expected = reference.load("b.tensor.grad_images", m);
            double scale = expected.abs().max().getFloat();
            TestData.assertClose(expected, b.getGradient(), 1e-3 * scale, 1e-3, "b.tensor.grad_images");
            System.out.printf("imagereward %-28s max |diff| %.3g (largest |grad| %.3g)%n", "b.tensor.grad_images",
                    TestData.maxAbsDiff(expected, b.getGradient()), scale);
        }
    }

    @Test
    void geometryFollowsTorchvision() {
        // the README's images_b: 40x48 -> 32x38, crop from row 0 and column 3
        NDArray b = reference.load("images_b", manager);
        int h = (int) b.getShape().get(2);
        int w = (int) b.getShape().get(3);
        BlipImageProcessor p = processor(BlipImageProcessor.Mode.TENSOR);
        int[] hw = p.resizedSize(h, w);
        assertArrayEquals(new int[] {size, (int) ((double) size * w / h)}, hw);
        assertEquals(0, p.cropOffset(hw[0]));
        assertEquals((int) Math.rint((hw[1] - size) / 2.0), p.cropOffset(hw[1]));
        assertEquals(2, p.cropOffset(size + 5));   // 2.5: Python's round goes to the even 2
        assertEquals(4, p.cropOffset(size + 7));   // 3.5 -> 4
        assertArrayEquals(new int[] {hw[1], hw[0]}, p.resizedSize(w, h));   // a tall image: the same sides swapped
        b.close();
    }

    @Test
    void refusesWhatItCannotTake() {
        try (NDManager m = manager.newSubManager()) {
            for (BlipImageProcessor.Mode mode : BlipImageProcessor.Mode.values()) {
                BlipImageProcessor p = processor(mode);
                assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 3, 32, 32), DataType.FLOAT64)));
                assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 1, 32, 32))));
                assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(3, 32, 32))));
            }
            NDArray nan = m.zeros(new Shape(1, 3, 40, 48));
            nan.set(new ai.djl.ndarray.index.NDIndex("0, 1, 5, 7"), Float.NaN);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> processor(BlipImageProcessor.Mode.PIL).preprocess(nan));
            assertTrue(e.getMessage().contains("(5, 7)"), e.getMessage());
            NDArray inf = m.full(new Shape(1, 3, 32, 32), Float.POSITIVE_INFINITY);
            assertThrows(InvalidInputException.class, () -> processor(BlipImageProcessor.Mode.PIL).preprocess(inf));
        }
    }
}
