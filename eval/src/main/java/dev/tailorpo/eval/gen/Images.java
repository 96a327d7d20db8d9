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
import java.util.Arrays;
import java.util.List;

/** Generated images as 8-bit RGB pictures and PNG files. */
public final class Images {
    private Images() {}

    /**
     * A batch (B, 3, H, W) in [0, 1] as B pictures, each channel value v stored as round(255 v)
     * clamped to 0..255 (diffusers' {@code numpy_to_pil}), the conversion the pixel rewards use.
     */
    public static List<BufferedImage> toPictures(NDArray batch) {
        long[] s = batch.getShape().getShape();
        if (s.length != 4 || s[1] != 3) {
            throw new InvalidInputException("expected images (B, 3, H, W), got " + batch.getShape());
        }
        int h = (int) s[2];
        int w = (int) s[3];
        int size = 3 * h * w;
        float[] v = batch.toFloatArray();
        List<BufferedImage> out = new ArrayList<>((int) s[0]);
        for (int i = 0; i < s[0]; i++) {
            out.add(dev.tailorpo.rewards.image.Images.toRgb(Arrays.copyOfRange(v, i * size, (i + 1) * size), h, w));
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
