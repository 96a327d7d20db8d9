package dev.tailorpo.diffusion.image;

/**
 * The resampling kernels the reward models' preprocessing needs, each the single source of its
 * {@link Taps} (resampling weights).
 *
 * <p>Two families. The antialiased ones are PIL's {@code precompute_coeffs} (Resample.c): output
 * pixel {@code i} is centred at {@code (i + 0.5) * in / out} in the input, the filter's support is
 * widened by the scale when shrinking, the window runs from {@code (int) (center - support + 0.5)}
 * to {@code (int) (center + support + 0.5)} clipped to the image, and the weights
 * {@code filter((j - center + 0.5) * (1 / widen))} are divided by their sum, all in double. torch's
 * {@code interpolate(..., align_corners=False, antialias=True)} computes the same weights (its
 * {@code _compute_indices_weights_aa}), so one kernel serves both. {@link #TORCH_BICUBIC} is torch's
 * plain {@code interpolate(mode='bicubic', align_corners=False)}: four taps around the unclamped
 * source position {@code (i + 0.5) * in / out - 0.5}, indices clamped to the border, a = -0.75,
 * no antialiasing however much it shrinks; its weights are computed in float as torch computes them
 * for float images (the float rounding of the source position moves the weights by up to ~1e-6).
 */
public enum Kernel {
    /** PIL's {@code BICUBIC} (a = -0.5), antialiased; also torch's bicubic with {@code antialias=True}. */
    ANTIALIAS_BICUBIC(2.0) {
        @Override
        double filter(double x) {
            return cubic(x, -0.5);
        }
    },
    /** PIL's {@code BILINEAR} (the triangle), antialiased; also torch's bilinear with {@code antialias=True}. */
    ANTIALIAS_BILINEAR(1.0) {
        @Override
        double filter(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** torch's {@code interpolate(mode='bicubic', align_corners=False)} without antialiasing (a = -0.75). */
    TORCH_BICUBIC(0) {
        @Override
        double filter(double x) {
            // torch's cubic_convolution1 on [0, 1], cubic_convolution2 on [1, 2], in float
            float f = (float) Math.abs(x);
            return f < 1f ? cubicInner(f) : f < 2f ? cubicOuter(f) : 0f;
        }

        @Override
        public Taps taps(int in, int out) {
            checkSizes(in, out);
            // in float, as torch computes them for float images (its opmath_t): the scale, the
            // source position (rounded to float after a double product) and the coefficients
            float scale = (float) in / out;
            int[][] index = new int[out][4];
            double[][] weight = new double[out][4];
            for (int i = 0; i < out; i++) {
                // torch's area_pixel_compute_source_index for cubic: not clamped at 0
                float source = (float) (scale * (i + 0.5) - 0.5);
                int floor = (int) Math.floor(source);
                float t = source - floor;
                // get_cubic_upsample_coefficients: distances 1 + t, t, 1 - t, 2 - t
                float t2 = (float) (1.0 - t);
                weight[i][0] = filter((float) (t + 1.0));
                weight[i][1] = filter(t);
                weight[i][2] = filter(t2);
                weight[i][3] = filter((float) (t2 + 1.0));
                for (int j = 0; j < 4; j++) {
                    index[i][j] = Math.min(Math.max(floor - 1 + j, 0), in - 1);
                }
            }
            return new Taps(in, index, weight);
        }
    };

    /** The filter's half-width at scale 1 (antialiased kernels only). */
    private final double support;

    Kernel(double support) {
        this.support = support;
    }

    /** The filter at distance {@code x}, in input pixels at scale 1. */
    abstract double filter(double x);

    /** Whether this is one of PIL's antialiased kernels (the ones PIL's 8-bit resize uses). */
    public boolean antialiased() {
        return this != TORCH_BICUBIC;
    }

    /**
     * The weights that resample an axis of {@code in} pixels to {@code out} pixels.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Taps taps(int in, int out) {
        checkSizes(in, out);
        // PIL's precompute_coeffs, in double as PIL computes it, operation for operation
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double widened = support * filterScale;
        double ss = 1.0 / filterScale;
        int[][] index = new int[out][];
        double[][] weight = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates towards zero, as PIL's C cast does; then the window is clipped
            int lo = Math.max((int) (center - widened + 0.5), 0);
            int hi = Math.min((int) (center + widened + 0.5), in);
            int[] idx = new int[hi - lo];
            double[] w = new double[hi - lo];
            double total = 0.0;
            for (int j = 0; j < w.length; j++) {
                idx[j] = lo + j;
                w[j] = filter((j + lo - center + 0.5) * ss);
                total += w[j];
            }
            if (total != 0.0) {
                for (int j = 0; j < w.length; j++) {
                    w[j] /= total;
                }
            }
            index[i] = idx;
            weight[i] = w;
        }
        return new Taps(in, index, weight);
    }

    /** Keys' cubic convolution kernel with parameter {@code a}. */
    private static double cubic(double x, double a) {
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
        }
        if (x < 2.0) {
            return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
        }
        return 0.0;
    }

    /** torch's {@code cubic_convolution1} (the kernel on [0, 1]) with a = -0.75, in float. */
    private static float cubicInner(float x) {
        final float a = -0.75f;
        return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
    }

    /** torch's {@code cubic_convolution2} (the kernel on [1, 2]) with a = -0.75, in float. */
    private static float cubicOuter(float x) {
        final float a = -0.75f;
        return ((a * x - 5f * a) * x + 8f * a) * x - 4f * a;
    }

    private static void checkSizes(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("resampling sizes must be positive, got " + in + " -> " + out);
        }
    }
}
