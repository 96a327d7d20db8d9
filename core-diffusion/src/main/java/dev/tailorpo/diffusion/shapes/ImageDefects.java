package dev.tailorpo.diffusion.shapes;

import java.util.SplittableRandom;

/**
 * The quality defects a render may carry, applied in place to a CHW image in this order: Gaussian
 * blur (the shape's edges soften first, as an out-of-focus capture), fade toward mid-grey (a
 * washed-out print), additive Gaussian noise (sensor noise on top of everything), then a clamp to
 * [0, 1]. Clipping and off-centre placement are geometric and come from {@link RenderParams}.
 */
final class ImageDefects {
    private ImageDefects() {}

    /** Below this sigma the blur kernel is a delta at 32x32: skipping it keeps renders bit-identical. */
    private static final double MIN_SIGMA = 0.05;

    static void apply(float[] chw, int side, RenderParams p) {
        if (p.blurSigma() >= MIN_SIGMA) {
            blur(chw, side, p.blurSigma());
        }
        float fade = (float) p.fade();
        float std = (float) p.noiseStd();
        SplittableRandom noise = std > 0 ? new SplittableRandom(p.noiseSeed()) : null;
        for (int i = 0; i < chw.length; i++) {
            float v = chw[i] * (1 - fade) + 0.5f * fade;
            if (noise != null) {
                v += (float) noise.nextGaussian() * std;
            }
            chw[i] = Math.max(0f, Math.min(1f, v));
        }
    }

    /** Separable Gaussian blur of each channel; pixels beyond the border repeat the edge pixel. */
    static void blur(float[] chw, int side, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            double w = Math.exp(-0.5 * i * i / (sigma * sigma));
            k[i + radius] = (float) w;
            sum += w;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= (float) sum;
        }
        int plane = side * side;
        float[] tmp = new float[plane];
        for (int c = 0; c < chw.length / plane; c++) {
            int off = c * plane;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float acc = 0;
                    for (int i = -radius; i <= radius; i++) {
                        int xx = Math.max(0, Math.min(side - 1, x + i));
                        acc += k[i + radius] * chw[off + y * side + xx];
                    }
                    tmp[y * side + x] = acc;
                }
            }
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float acc = 0;
                    for (int i = -radius; i <= radius; i++) {
                        int yy = Math.max(0, Math.min(side - 1, y + i));
                        acc += k[i + radius] * tmp[yy * side + x];
                    }
                    chw[off + y * side + x] = acc;
                }
            }
        }
    }
}
