package dev.tailorpo.rewards.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tailorpo.api.InvalidInputException;

import java.awt.image.BufferedImage;
import java.util.List;

/** Checks and conversions shared by the rewards that look at plain pixels. */
public final class Images {
    private Images() {}

    /** Fails unless {@code images} is (B, 3, H, W) and {@code prompts} has B entries. */
    public static void checkBatch(String reward, NDArray images, List<String> prompts) {
        var s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new InvalidInputException(reward + ": images must be (B, 3, H, W) in [0, 1], got " + s);
        }
        if (prompts.size() != s.get(0)) {
            throw new InvalidInputException(reward + ": " + s.get(0) + " images but " + prompts.size() + " prompts");
        }
    }

    /**
     * Fails naming the first image that holds NaN or infinite pixels: a model would turn them into
     * a NaN score, or (resizing mixes whole rows and columns) spread them to other pixels.
     */
    public static void requireFinite(String reward, NDArray images) {
        long b = images.getShape().get(0);
        float[] counts;
        try (NDManager scratch = images.getManager().newSubManager()) {
            NDArray view = images.stopGradient();   // shares the storage; the checks' results land in scratch
            view.attach(scratch);
            counts = view.isNaN().logicalOr(view.isInfinite()).reshape(b, -1).toType(DataType.FLOAT32, false)
                    .sum(new int[] {1}).toFloatArray();
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                throw new InvalidInputException(reward + ": image " + i + " has " + (long) counts[i] + " NaN or infinite pixels");
            }
        }
    }

    /**
     * One image of a (B, 3, H, W) [0, 1] batch as 8-bit RGB, rounded and clamped as DDPO does
     * ({@code (x * 255).round().clamp(0, 255)}).
     */
    public static BufferedImage toRgb(float[] chw, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = to8bit(chw[i]);
                int g = to8bit(chw[plane + i]);
                int b = to8bit(chw[2 * plane + i]);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int to8bit(float v) {
        if (Float.isNaN(v)) {
            throw new InvalidInputException("image has a NaN pixel");
        }
        return (int) Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
