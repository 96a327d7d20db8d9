package dev.tailorpo.rewards.image;

import ai.djl.ndarray.NDArray;
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
