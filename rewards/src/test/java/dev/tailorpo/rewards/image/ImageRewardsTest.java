package dev.tailorpo.rewards.image;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRewardsTest {
    private static final List<String> TWO = List.of("a", "b");

    /** Image 0: flat grey. Image 1: left half pure red, right half pure green. */
    private static NDArray greyAndRedGreen(NDManager m) {
        int h = 8;
        int w = 8;
        float[] data = new float[2 * 3 * h * w];
        java.util.Arrays.fill(data, 0, 3 * h * w, 0.5f);
        int off = 3 * h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                data[off + i] = x < w / 2 ? 1f : 0f;               // R
                data[off + h * w + i] = x < w / 2 ? 0f : 1f;       // G
            }
        }
        return m.create(data, new Shape(2, 3, h, w));
    }

    @Test
    void colorfulnessMatchesHaslerSuesstrunkOnConstructedImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] s = new Colorfulness().score(greyAndRedGreen(m), TWO);
            assertEquals(0, s[0], 0.01);
            // rg = +-255 (mean 0, sd 255); yb = 127.5 everywhere (sd 0, mean 127.5)
            assertEquals(255 + 0.3 * 127.5, s[1], 0.01);
        }
    }

    @Test
    void colorfulnessGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(3);
            float[] px = new float[3 * 4 * 4];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextDouble();
            }
            NDArray x = m.create(px, new Shape(1, 3, 4, 4));
            x.setRequiresGradient(true);
            Colorfulness c = new Colorfulness();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(c.scoreTensor(x, List.of("p")).sum());
            }
            float[] g = x.getGradient().toFloatArray();
            double h = 1e-2;
            for (int i : new int[] {0, 17, 40}) {
                float[] plus = px.clone();
                float[] minus = px.clone();
                plus[i] += h;
                minus[i] -= h;
                double fd = (c.score(m.create(plus, x.getShape()), List.of("p"))[0]
                        - c.score(m.create(minus, x.getShape()), List.of("p"))[0]) / (2 * h);
                assertEquals(fd, g[i], 0.02 * Math.abs(fd) + 0.05, "pixel " + i);
            }
        }
    }

    @Test
    void jpegRewardsPreferFlatImagesForCompressibility() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(1);
            float[] data = new float[2 * 3 * 32 * 32];
            for (int i = 3 * 32 * 32; i < data.length; i++) {
                data[i] = (float) r.nextDouble();                 // image 1: noise; image 0: black
            }
            NDArray images = m.create(data, new Shape(2, 3, 32, 32));
            float[] comp = JpegCompressibility.compressibility().score(images, TWO);
            float[] incomp = JpegCompressibility.incompressibility().score(images, TWO);
            assertEquals(-incomp[0], comp[0]);
            assertEquals(-incomp[1], comp[1]);
            assertTrue(comp[0] > comp[1], "flat image is more compressible: " + comp[0] + " vs " + comp[1]);
            assertTrue(incomp[0] > 0.1 && incomp[0] < 1.5, "a 32x32 black JPEG is a few hundred bytes: " + incomp[0]);
            assertTrue(incomp[1] > 2 * incomp[0], "noise costs far more bytes: " + incomp[1]);
        }
    }

    @Test
    void badBatchesAreRejectedByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> new Colorfulness().score(m.zeros(new Shape(2, 1, 4, 4)), TWO));
            assertTrue(e.getMessage().startsWith("colorfulness:"), e.getMessage());
            e = assertThrows(InvalidInputException.class,
                    () -> JpegCompressibility.compressibility().score(m.zeros(new Shape(2, 3, 4, 4)), List.of("x")));
            assertTrue(e.getMessage().contains("2 images but 1 prompts"), e.getMessage());
        }
    }
}
