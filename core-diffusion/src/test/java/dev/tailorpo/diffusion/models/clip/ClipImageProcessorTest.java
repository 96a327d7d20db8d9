package dev.tailorpo.diffusion.models.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClipImageProcessorTest {

    private static NDArray random(NDManager m, long... shape) {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return m.create(v, new Shape(shape));
    }

    /** (x - mean) / std per channel, computed in Java. */
    private static float[] normalised(float[] x, int batch, int hw) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % 3;
            out[i] = (x[i] - ClipImageProcessor.MEAN[c]) / ClipImageProcessor.STD[c];
        }
        return out;
    }

    @Test
    void imagesAtTheModelSizeAreOnlyNormalised() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = random(m, 2, 3, 32, 32);
            NDArray y = new ClipImageProcessor(32, ClipImageProcessor.Resample.BICUBIC).preprocess(x);
            TestData.assertClose(m.create(normalised(x.toFloatArray(), 2, 32 * 32), new Shape(2, 3, 32, 32)), y, 1e-6, 0, "pixel_values");
            assertEquals(m, y.getManager());
        }
    }

    @Test
    void wideImagesAreCentreCroppedLikeTransformers() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = random(m, 1, 3, 32, 49);  // left offset (49 - 32) / 2 = 8
            NDArray y = new ClipImageProcessor(32, ClipImageProcessor.Resample.BILINEAR).preprocess(x);
            NDArray expected = x.get(":, :, :, 8:40");
            TestData.assertClose(m.create(normalised(expected.toFloatArray(), 1, 32 * 32), new Shape(1, 3, 32, 32)), y, 1e-6, 0, "crop");
        }
    }

    @Test
    void resizingKeepsConstantImagesConstantForBothFilters() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (ClipImageProcessor.Resample r : ClipImageProcessor.Resample.values()) {
                // 16x24 -> shortest edge 32 gives 32x48, cropped to 32x32
                NDArray x = m.full(new Shape(1, 3, 16, 24), 0.25f);
                NDArray y = new ClipImageProcessor(32, r).preprocess(x);
                assertEquals(new Shape(1, 3, 32, 32), y.getShape());
                float[] v = y.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    int c = i / 1024;
                    assertEquals((0.25f - ClipImageProcessor.MEAN[c]) / ClipImageProcessor.STD[c], v[i], 1e-5, r + " at " + i);
                }
            }
        }
    }

    @Test
    void resamplingMatchesTorchsAntialiasedInterpolate() {
        // expected values: torch 1.13 F.interpolate(x, size, mode, align_corners=False, antialias=True)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray row = m.create(new float[] {0, 1, 0, 1}, new Shape(1, 1, 2, 2));
            NDArray ramp = m.create(new float[] {0, 1, 4, 9, 16, 25, 36, 49}, new Shape(1, 1, 1, 8)).div(49f);
            assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, first4(resize(row, ClipImageProcessor.Resample.BILINEAR, 4)), 1e-6f);
            assertArrayEquals(new float[] {-0.0882352963f, 0.2071428597f, 0.7928571701f, 1.0882352591f},
                    first4(resize(row, ClipImageProcessor.Resample.BICUBIC, 4)), 1e-6f);
            assertArrayEquals(new float[] {0.0418904386f, 0.2745383978f, 0.7261010408f},
                    resize(ramp, ClipImageProcessor.Resample.BILINEAR, 3).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.0211386420f, 0.2595624328f, 0.7650055885f},
                    resize(ramp, ClipImageProcessor.Resample.BICUBIC, 3).toFloatArray(), 1e-6f);
        }
    }

    /** Resamples the width of (1, 1, H, W) to {@code width} through the processor's mode code. */
    private static NDArray resize(NDArray x, ClipImageProcessor.Resample r, long width) {
        return ClipImageProcessor.resampleTo(x, x.getShape().get(2), width, r);
    }

    private static float[] first4(NDArray x) {
        return java.util.Arrays.copyOf(x.toFloatArray(), 4);
    }

    @Test
    void staysInTheAutogradGraph() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = random(m, 1, 3, 32, 32);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new ClipImageProcessor(32, ClipImageProcessor.Resample.BICUBIC).preprocess(x).sum());
            }
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertEquals(1 / ClipImageProcessor.STD[i / 1024], g[i], 1e-5);  // d/dx (x - m) / s
            }
        }
    }

    @Test
    void refusesWhatItCannotDifferentiate() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipImageProcessor p = new ClipImageProcessor(32, ClipImageProcessor.Resample.BICUBIC);
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 3, 32, 32), DataType.FLOAT64)));
            assertThrows(InvalidInputException.class, () -> p.preprocess(m.zeros(new Shape(1, 1, 32, 32))));
        }
    }
}
