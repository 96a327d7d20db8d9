package dev.tailorpo.rewards.image;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.InvalidInputException;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The size in kB (1000 bytes) of each image saved as JPEG at quality 95, DDPO's measure behind
 * its compressibility rewards. Java's baseline JPEG encoder (standard Huffman tables, 4:2:0 chroma)
 * is used instead of PIL's libjpeg; sizes differ from PIL's by a few percent but rank images the
 * same way.
 */
final class JpegSize {
    private JpegSize() {}

    static float[] kilobytes(NDArray images) {
        var s = images.getShape();
        int b = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] all = images.toFloatArray();
        int per = 3 * h * w;
        float[] out = new float[b];
        for (int i = 0; i < b; i++) {
            float[] chw = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            out[i] = encodedBytes(Images.toRgb(chw, h, w)) / 1000f;
        }
        return out;
    }

    private static int encodedBytes(java.awt.image.BufferedImage img) {
        var writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new InvalidInputException("this Java runtime has no JPEG encoder");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.size();
    }
}
