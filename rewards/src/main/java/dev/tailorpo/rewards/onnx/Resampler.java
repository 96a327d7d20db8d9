package dev.tailorpo.rewards.onnx;

import dev.tailorpo.diffusion.image.Kernel;
import dev.tailorpo.diffusion.image.Taps;

/**
 * Separable image resizing the way PIL's {@code Image.resize} does it, since the scorers this
 * adapter wraps (ImageReward, HPSv2, CLIP heads) were trained on PIL-resized images: each output
 * pixel is a normalised, filter-weighted sum of the input pixels under it, with the filter widened
 * by the scale factor when shrinking (antialiasing; torch's {@code interpolate} without
 * {@code antialias} would alias badly from 512 to 224). Bicubic uses PIL's a = -0.5. The weights
 * are core-diffusion's {@link Kernel} taps (PIL's {@code precompute_coeffs}).
 *
 * <p>It works on float planes in [0, 1] rather than 8-bit images, so results differ from PIL's by
 * at most the rounding PIL does after each pass (about 1/255); {@code PilResize} in core-diffusion
 * is the bit-exact 8-bit version.
 */
public final class Resampler {

    /** The interpolation filters offered: PIL's {@code BILINEAR} and {@code BICUBIC}. */
    public enum Filter {
        BILINEAR(Kernel.ANTIALIAS_BILINEAR),
        BICUBIC(Kernel.ANTIALIAS_BICUBIC);

        final Kernel kernel;

        Filter(Kernel kernel) {
            this.kernel = kernel;
        }
    }

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
        Taps horizontal = filter.kernel.taps(w, outW);
        Taps vertical = filter.kernel.taps(h, outH);
        float[] rows = new float[h * outW];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                rows[y * outW + x] = (float) horizontal.apply(x, src, offset + y * w, 1);
            }
        }
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = (float) vertical.apply(y, rows, x, outW);
            }
        }
        return out;
    }
}
