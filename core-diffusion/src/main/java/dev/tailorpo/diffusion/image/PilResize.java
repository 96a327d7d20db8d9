package dev.tailorpo.diffusion.image;

/**
 * PIL 9.4's {@code Image.resize(size, resample)} on 8-bit planes, bit for bit (Resample.c,
 * {@code ImagingResampleInner} with the 8bpc passes): the {@link Kernel}'s weights, computed in
 * double, are converted to fixed point with {@value #PRECISION_BITS} fractional bits, rounding half
 * away from zero; the horizontal pass runs first into an 8-bit intermediate holding only the rows
 * the vertical pass reads, then the vertical pass; each sum starts at half a unit and is shifted
 * down and clipped to 0..255. A pass is skipped when its axis keeps its size (no resampling at all
 * when neither changes: PIL returns a copy). Channels are independent in PIL, so an RGB image is
 * three calls. Works on ints 0..255; no tensors, so no gradient.
 */
public final class PilResize {
    /** PIL's {@code PRECISION_BITS}: 32 - 8 - 2. */
    public static final int PRECISION_BITS = 22;

    private PilResize() {}

    /**
     * Resizes one 8-bit plane.
     *
     * @param plane row-major {@code height x width} values in 0..255
     * @param kernel one of PIL's (antialiased) kernels
     * @return row-major {@code outHeight x outWidth} values in 0..255
     */
    public static int[] resize(int[] plane, int height, int width, int outHeight, int outWidth, Kernel kernel) {
        if (!kernel.antialiased()) {
            throw new IllegalArgumentException(kernel + " is not one of PIL's filters");
        }
        if (plane.length != height * width) {
            throw new IllegalArgumentException("a " + height + "x" + width + " plane has " + height * width + " values, got " + plane.length);
        }
        Taps horizontal = kernel.taps(width, outWidth);
        Taps vertical = kernel.taps(height, outHeight);
        int[] src = plane;
        int rows = height;
        int firstRow = 0;
        int cols = width;
        if (outWidth != width) {
            // only the input rows that the vertical windows read: ybox_first .. ybox_last
            firstRow = vertical.index(0, 0);
            int last = outHeight - 1;
            int lastRow = vertical.index(last, vertical.count(last) - 1) + 1;
            rows = lastRow - firstRow;
            int[] temp = new int[rows * outWidth];
            int[][] k = fixedPoint(horizontal);
            for (int y = 0; y < rows; y++) {
                int base = (y + firstRow) * width;
                for (int x = 0; x < outWidth; x++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < k[x].length; j++) {
                        ss += src[base + horizontal.index(x, j)] * k[x][j];
                    }
                    temp[y * outWidth + x] = clip8(ss);
                }
            }
            src = temp;
            cols = outWidth;
        }
        if (outHeight == height) {
            return src == plane ? plane.clone() : src;
        }
        int[] out = new int[outHeight * cols];
        int[][] k = fixedPoint(vertical);
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < cols; x++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < k[y].length; j++) {
                    ss += src[(vertical.index(y, j) - firstRow) * cols + x] * k[y][j];
                }
                out[y * cols + x] = clip8(ss);
            }
        }
        return out;
    }

    /** PIL's {@code normalize_coeffs_8bpc}: each weight times 2^22, rounded half away from zero. */
    public static int[][] fixedPoint(Taps taps) {
        int[][] k = new int[taps.outputSize()][];
        for (int i = 0; i < k.length; i++) {
            k[i] = new int[taps.count(i)];
            for (int j = 0; j < k[i].length; j++) {
                double w = taps.weight(i, j);
                k[i][j] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
        }
        return k;
    }

    /** PIL's {@code clip8}: the fixed-point sum to 0..255. */
    private static int clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (in <= 0) {
            return 0;
        }
        return in >> PRECISION_BITS;
    }
}
