package dev.tailorpo.rewards.onnx;

/**
 * CLIP-style preprocessing of a (B, 3, H, W) batch in [0, 1]: resize, optional centre crop, then
 * per-channel {@code (x - mean) / std}. With {@code centerCrop} the shorter side is resized to
 * {@code size} (the longer one keeps the aspect ratio, truncated as transformers'
 * {@code CLIPImageProcessor} does) and the centre {@code size x size} square is kept, its top-left
 * corner at {@code ((H' - size) / 2, (W' - size) / 2)} rounded down; without it the image is
 * squashed to {@code size x size}. For the square images diffusion models make, both agree.
 *
 * @param size the side of the model's input
 * @param resampler the interpolation
 * @param centerCrop whether to keep the aspect ratio and crop
 * @param mean per-channel mean subtracted after resizing
 * @param std per-channel standard deviation divided by
 */
record ImagePreprocessor(int size, Resampler resampler, boolean centerCrop, float[] mean, float[] std) {

    /** Preprocesses {@code n} images; the result is (n, 3, size, size), row-major. */
    float[] apply(float[] images, int n, int h, int w) {
        int outH = size;
        int outW = size;
        if (centerCrop && h != w) {
            if (h < w) {
                outW = (int) ((long) size * w / h);
            } else {
                outH = (int) ((long) size * h / w);
            }
        }
        int top = (outH - size) / 2;
        int left = (outW - size) / 2;
        int plane = size * size;
        float[] out = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                float[] resized = resampler.resize(images, (i * 3 + c) * h * w, h, w, outH, outW);
                int base = (i * 3 + c) * plane;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        out[base + y * size + x] = (resized[(y + top) * outW + x + left] - mean[c]) / std[c];
                    }
                }
            }
        }
        return out;
    }
}
