package dev.tailorpo.eval.report;

import dev.tailorpo.diffusion.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** PNG encoding for charts, grids and reports: to bytes (for data URIs) or atomically to a file. */
public final class Png {
    private Png() {}

    /** The PNG encoding of {@code image}. */
    public static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Writes {@code image} to {@code file} as PNG, replacing it atomically. */
    public static void write(BufferedImage image, Path file) {
        byte[] bytes = encode(image);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
