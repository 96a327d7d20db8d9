package dev.tailorpo.rewards.onnx;

/**
 * Separable image resizing the way PIL's {@code Image.resize} does it, since the scorers this
 * adapter wraps (ImageReward, HPSv2, CLIP heads) were trained on PIL-resized images: each output
 * pixel is a normalised, filter-weighted sum of the input pixels under it, with the filter widened
 * by the scale factor when shrinking (antialiasing; torch's {@code interpolate} without
 * {@code antialias} would alias badly from 512 to 224). Bicubic uses PIL's a = -0.5.
 *
 * <p>It works on float planes in [0, 1] rather than 8-bit images, so results differ from PIL's by
 * at most the rounding PIL does after each pass (about 1/255).
 */
public final class Resampler {

    /** The interpolation filters offered: PIL's {@code BILINEAR} and {@code BICUBIC}. */
    public enum Filter {
        BILINEAR(1) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1 ? 1 - x : 0;
            }
        },
        BICUBIC(2) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1) {
                    return ((a + 2) * x - (a + 3)) * x * x + 1;
                }
                if (x < 2) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    /** Output pixel i of one axis reads input pixels {@code first[i] ..} with {@code weights[i]}. */
    private record Taps(int[] first, double[][] weights) {}

    private final Filter filter;

    public Resampler(Filter filter) {
        this.filter = filter;
    }

    /**
     * Resizes one (H, W) plane, stored row-major at {@code offset} in {@code src}, to (outH, outW).
     */
    public float[] resize(float[] src, int offset, int h, int w, int outH, int outW) {
        if (h == outH && w == outW) {
            float[] copy = new float[h * w];
            System.arraycopy(src, offset, copy, 0, h * w);
            return copy;
        }
        Taps horizontal = taps(w, outW);
        Taps vertical = taps(h, outH);
        float[] rows = new float[h * outW];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                rows[y * outW + x] = (float) apply(horizontal, x, src, offset + y * w, 1);
            }
        }
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = (float) apply(vertical, y, rows, x, outW);
            }
        }
        return out;
    }

    private static double apply(Taps taps, int i, float[] data, int base, int stride) {
        double[] w = taps.weights[i];
        int at = base + taps.first[i] * stride;
        double sum = 0;
        for (double v : w) {
            sum += v * data[at];
            at += stride;
        }
        return sum;
    }

    /** PIL's {@code precompute_coeffs}: window bounds and normalised weights for each output pixel. */
    private Taps taps(int in, int out) {
        double scale = (double) in / out;
        double widen = Math.max(scale, 1.0);
        double support = filter.support * widen;
        int[] first = new int[out];
        double[][] weights = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates towards zero, as PIL's C cast does; the window is then clipped
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double[] w = new double[hi - lo];
            double total = 0;
            for (int j = 0; j < w.length; j++) {
                w[j] = filter.weight((lo + j - center + 0.5) / widen);
                total += w[j];
            }
            for (int j = 0; j < w.length; j++) {
                w[j] = total == 0 ? 0 : w[j] / total;
            }
            first[i] = lo;
            weights[i] = w;
        }
        return new Taps(first, weights);
    }
}
