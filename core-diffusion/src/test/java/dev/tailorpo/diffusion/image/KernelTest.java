package dev.tailorpo.diffusion.image;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invariants of the resampling weights and of the resizes built on them. */
class KernelTest {
    private static final int[] SIZES = {1, 2, 3, 5, 7, 13, 19, 32, 40, 48, 64};

    private static NDArray random(NDManager m, long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return m.create(v, new Shape(shape));
    }

    @Test
    void sameSizeTapsAreTheIdentity() {
        for (Kernel k : Kernel.values()) {
            for (int n : SIZES) {
                assertTrue(k.taps(n, n).isIdentity(), k + " " + n);
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = random(m, 1, 2, 3, 13, 7);
            for (Kernel k : Kernel.values()) {
                NDArray y = Resize.resize(x, 13, 7, k);
                assertArrayEquals(x.toFloatArray(), y.toFloatArray(), k.toString());
            }
        }
    }

    @Test
    void everyRowOfEveryMatrixSumsToOne() {
        for (Kernel k : Kernel.values()) {
            for (int in : SIZES) {
                for (int out : SIZES) {
                    double[] m = k.taps(in, out).matrix();
                    for (int i = 0; i < out; i++) {
                        double sum = 0;
                        for (int j = 0; j < in; j++) {
                            sum += m[i * in + j];
                        }
                        assertEquals(1.0, sum, k == Kernel.TORCH_BICUBIC ? 1e-6 : 1e-12, k + " " + in + " -> " + out + " row " + i);
                    }
                }
            }
        }
    }

    @Test
    void torchBicubicHasFourClampedTapsAroundTheUnclampedSource() {
        Taps t = Kernel.TORCH_BICUBIC.taps(4, 8);   // source (i + 0.5) / 2 - 0.5: -0.25 for i = 0
        assertArrayEquals(new int[] {0, 0, 0, 1}, new int[] {t.index(0, 0), t.index(0, 1), t.index(0, 2), t.index(0, 3)});
        // a = -0.75 at t = 0.75: distances 1.75, 0.75, 0.25, 1.25
        double[] expected = {cubic(1.75), cubic(0.75), cubic(0.25), cubic(1.25)};
        assertArrayEquals(expected, t.weights(0), 1e-7);   // torch computes them in float
        assertTrue(t.weights(0)[0] < 0, "a = -0.75 has negative lobes");
    }

    /** Keys' kernel with a = -0.75, written out from torch's two cubic_convolution formulas. */
    private static double cubic(double x) {
        double a = -0.75;
        return x < 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    @Test
    void antialiasedWindowsWidenWhenShrinking() {
        Taps up = Kernel.ANTIALIAS_BICUBIC.taps(10, 20);
        Taps down = Kernel.ANTIALIAS_BICUBIC.taps(20, 5);    // scale 4: support 8, windows of up to 16
        assertTrue(up.count(10) <= 5, "upsampling reads at most 2 pixels each side");
        assertEquals(16, down.count(2));
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < down.count(i); j++) {
                assertTrue(down.weight(i, j) >= -0.1, "the widened cubic is shallow");
            }
        }
    }

    @Test
    void constantImagesStayConstant() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(1, 3, 13, 19), 0.3f);
            for (Kernel k : Kernel.values()) {
                for (int[] hw : new int[][] {{5, 7}, {32, 40}, {13, 40}, {1, 1}}) {
                    for (float v : Resize.resize(x, hw[0], hw[1], k).toFloatArray()) {
                        assertEquals(0.3f, v, 1e-6f, k + " to " + hw[0] + "x" + hw[1]);
                    }
                }
            }
        }
        int[] plane = new int[13 * 19];
        java.util.Arrays.fill(plane, 77);
        for (Kernel k : new Kernel[] {Kernel.ANTIALIAS_BICUBIC, Kernel.ANTIALIAS_BILINEAR}) {
            for (int v : PilResize.resize(plane, 13, 19, 32, 7, k)) {
                assertEquals(77, v, k.toString());
            }
        }
    }

    @Test
    void fixedPointWeightsOfARowSumToOneWithinRounding() {
        for (Kernel k : new Kernel[] {Kernel.ANTIALIAS_BICUBIC, Kernel.ANTIALIAS_BILINEAR}) {
            for (int in : SIZES) {
                for (int out : SIZES) {
                    int[][] fixed = PilResize.fixedPoint(k.taps(in, out));
                    for (int[] row : fixed) {
                        long sum = 0;
                        for (int w : row) {
                            sum += w;
                        }
                        // each weight is off by at most half a unit
                        assertTrue(Math.abs(sum - (1 << PilResize.PRECISION_BITS)) <= row.length / 2.0,
                                k + " " + in + " -> " + out + ": " + sum);
                    }
                }
            }
        }
    }

    @Test
    void pilResizeOfTheSameSizeIsACopy() {
        int[] plane = {0, 255, 3, 4, 5, 6};
        int[] out = PilResize.resize(plane, 2, 3, 2, 3, Kernel.ANTIALIAS_BICUBIC);
        assertArrayEquals(plane, out);
        assertTrue(out != plane);
    }

    @Test
    void pilsVerticalPassIsItsHorizontalPassTransposed() {
        // with one axis kept, only one pass runs: resizing the rows of a plane equals resizing the
        // columns of its transpose, so the vertical pass is checked against the horizontal one
        SplittableRandom r = new SplittableRandom(5);
        int h = 23;
        int w = 17;
        int[] plane = new int[h * w];
        int[] transposed = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                plane[y * w + x] = r.nextInt(256);
                transposed[x * h + y] = plane[y * w + x];
            }
        }
        for (int out : new int[] {9, 40}) {
            int[] rows = PilResize.resize(plane, h, w, out, w, Kernel.ANTIALIAS_BICUBIC);
            int[] cols = PilResize.resize(transposed, w, h, w, out, Kernel.ANTIALIAS_BICUBIC);
            for (int y = 0; y < out; y++) {
                for (int x = 0; x < w; x++) {
                    assertEquals(cols[x * out + y], rows[y * w + x], "row " + y + " column " + x + " of " + out);
                }
            }
        }
    }

    @Test
    void pilResizeClipsOvershootTo8Bits() {
        // a step edge enlarged: bicubic overshoots on both sides, PIL clips to 0 and 255
        int[] plane = {0, 0, 255, 255};
        int[] out = PilResize.resize(plane, 1, 4, 1, 16, Kernel.ANTIALIAS_BICUBIC);
        for (int v : out) {
            assertTrue(v >= 0 && v <= 255);
        }
        assertEquals(0, out[0]);
        assertEquals(255, out[15]);
    }

    /** The antialiased kernel is what libtorch's own antialiased bicubic computes (through DJL). */
    @Test
    void antialiasedBicubicMatchesLibtorchForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] hw : new int[][] {{7, 5}, {32, 38}, {5, 40}, {19, 19}}) {
                NDArray x = random(m, hw[0], 2, 3, 13, 19);
                NDArray g = random(m, hw[1], 2, 3, hw[0], hw[1]);
                x.setRequiresGradient(true);
                NDArray ours;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    ours = Resize.resize(x, hw[0], hw[1], Kernel.ANTIALIAS_BICUBIC);
                    gc.backward(ours.mul(g).sum());
                }
                NDArray ourGrad = x.getGradient().duplicate();
                NDArray y = m.create(x.toFloatArray(), x.getShape());
                y.setRequiresGradient(true);
                NDArray torch;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    torch = y.getNDArrayInternal().interpolation(new long[] {hw[0], hw[1]}, 3, false);
                    gc.backward(torch.mul(g).sum());
                }
                TestData.assertClose(torch, ours, 2e-6, 0, "resize to " + hw[0] + "x" + hw[1]);
                TestData.assertClose(y.getGradient(), ourGrad, 2e-6, 0, "gradient of the resize to " + hw[0] + "x" + hw[1]);
                assertSame(m, ours.getManager());
            }
        }
    }
}
