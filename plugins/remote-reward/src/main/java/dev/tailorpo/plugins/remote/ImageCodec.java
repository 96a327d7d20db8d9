package dev.tailorpo.plugins.remote;

import dev.tailorpo.api.InvalidInputException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Locale;

/**
 * The two image encodings of the protocol, for one (3, H, W) image in [0, 1]: {@code png}, 8-bit
 * RGB rounded as DDPO does ({@code round(x * 255)} clamped), compact and what a Python server
 * opens with PIL; and {@code f32}, the raw little-endian float32 values in C, H, W order, exact.
 */
enum ImageCodec {
    PNG {
        @Override
        byte[] encode(float[] chw, int offset, int h, int w) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int plane = h * w;
            for (int i = 0; i < plane; i++) {
                int r = to8bit(chw[offset + i]);
                int g = to8bit(chw[offset + plane + i]);
                int b = to8bit(chw[offset + 2 * plane + i]);
                img.setRGB(i % w, i / w, (r << 16) | (g << 8) | b);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException("PNG encoding failed", e);
            }
            return out.toByteArray();
        }

        @Override
        void decode(byte[] bytes, float[] into, int offset, int h, int w) {
            BufferedImage img = readChecked(bytes, h, w);
            int plane = h * w;
            for (int i = 0; i < plane; i++) {
                int rgb = img.getRGB(i % w, i / w);
                into[offset + i] = ((rgb >> 16) & 0xFF) / 255f;
                into[offset + plane + i] = ((rgb >> 8) & 0xFF) / 255f;
                into[offset + 2 * plane + i] = (rgb & 0xFF) / 255f;
            }
        }
    },
    F32 {
        @Override
        byte[] encode(float[] chw, int offset, int h, int w) {
            ByteBuffer bb = ByteBuffer.allocate(12 * h * w).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(chw, offset, 3 * h * w);
            return bb.array();
        }

        @Override
        void decode(byte[] bytes, float[] into, int offset, int h, int w) {
            if (bytes.length != 12 * h * w) {
                throw new InvalidInputException("an f32 image of 3x" + h + "x" + w + " needs " + 12 * h * w
                        + " bytes, got " + bytes.length);
            }
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into, offset, 3 * h * w);
        }
    };

    /** One image starting at {@code offset} in a (B, 3, H, W) row-major array. */
    abstract byte[] encode(float[] chw, int offset, int h, int w);

    /** Decodes one image into {@code into} at {@code offset}; fails if it is not (3, h, w). */
    abstract void decode(byte[] bytes, float[] into, int offset, int h, int w);

    /** The protocol's name of this encoding. */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ImageCodec fromWire(String name) {
        for (ImageCodec c : values()) {
            if (c.wireName().equals(name)) {
                return c;
            }
        }
        throw new InvalidInputException("unknown image encoding '" + name + "'; known: png, f32");
    }

    private static int to8bit(float v) {
        if (Float.isNaN(v)) {
            throw new InvalidInputException("image has a NaN pixel");
        }
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /** Reads the PNG header first, so that a huge declared size is refused before any pixel is decoded. */
    private static BufferedImage readChecked(byte[] bytes, int h, int w) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidInputException("an image is not a PNG");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if (!"png".equalsIgnoreCase(reader.getFormatName()) || reader.getHeight(0) != h || reader.getWidth(0) != w) {
                    throw new InvalidInputException("an image is a " + reader.getFormatName() + " of " + reader.getHeight(0)
                            + "x" + reader.getWidth(0) + ", expected a PNG of " + h + "x" + w);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new InvalidInputException("an image is not a readable PNG: " + e.getMessage(), e);
        }
    }
}
