package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.InvalidInputException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Generated images as 8-bit RGB pictures and PNG files. */
public final class Images {
    private Images() {}

    /**
     * A batch (B, 3, H, W) in [0, 1] as B pictures, each channel value v stored as round(255 v)
     * after clamping to [0, 1] (diffusers' {@code numpy_to_pil}).
     */
    public static List<BufferedImage> toPictures(NDArray batch) {
        long[] s = batch.getShape().getShape();
        if (s.length != 4 || s[1] != 3) {
            throw new InvalidInputException("expected images (B, 3, H, W), got " + batch.getShape());
        }
        int b = (int) s[0];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v = batch.toFloatArray();
        List<BufferedImage> out = new ArrayList<>(b);
        int plane = h * w;
        for (int i = 0; i < b; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int base = i * 3 * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    int r = to8(v[base + p]);
                    int g = to8(v[base + plane + p]);
                    int bl = to8(v[base + 2 * plane + p]);
                    img.setRGB(x, y, (r << 16) | (g << 8) | bl);
                }
            }
            out.add(img);
        }
        return out;
    }

    private static int to8(float v) {
        float c = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
        return Math.round(c * 255f);
    }

    /** {@code image} enlarged {@code factor} times by nearest neighbour (each pixel a square block). */
    public static BufferedImage upscale(BufferedImage image, int factor) {
        if (factor < 1) {
            throw new InvalidInputException("upscale factor must be >= 1, got " + factor);
        }
        if (factor == 1) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w * factor, h * factor, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * factor; y++) {
            for (int x = 0; x < w * factor; x++) {
                out.setRGB(x, y, image.getRGB(x / factor, y / factor));
            }
        }
        return out;
    }

    /**
     * Writes {@code image} as a PNG to {@code file}, which must not exist yet: an existing file is
     * never overwritten ({@link FileAlreadyExistsException}, wrapped).
     */
    public static void writeNewPng(BufferedImage image, Path file) {
        try (OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (!ImageIO.write(image, "png", os)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException("refusing to overwrite " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
