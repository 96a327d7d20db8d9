package dev.tailorpo.diffusion.shapes;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * Renders a prompt with given {@link RenderParams} to a 32x32 RGB image, deterministically.
 *
 * <p>The shape's coverage is drawn antialiased at {@link #SUPERSAMPLE}x the output resolution and
 * area-averaged down, so edges are smooth at 32x32 and sub-pixel placement shows. Colours are
 * composed in floating point from that coverage ({@code bg + (fg - bg) alpha}) rather than by
 * Java2D, so no 8-bit rounding enters the image; then {@link ImageDefects} adds blur, fade and
 * noise. Each thread keeps its own supersampled canvas, so rendering is thread-safe and allocates
 * little.
 */
public final class ShapesRenderer {
    private ShapesRenderer() {}

    /** Output side in pixels. */
    public static final int SIZE = 32;
    /** Supersampling factor per axis. */
    public static final int SUPERSAMPLE = 4;
    /** Values per image: 3 x SIZE x SIZE, channel-major (CHW). */
    public static final int VALUES = 3 * SIZE * SIZE;

    private static final int HI = SIZE * SUPERSAMPLE;
    private static final ThreadLocal<Canvas> CANVAS = ThreadLocal.withInitial(Canvas::new);

    /** A supersampled 8-bit mask that a thread draws coverage into. */
    private static final class Canvas {
        final BufferedImage image = new BufferedImage(HI, HI, BufferedImage.TYPE_BYTE_GRAY);
        final byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        final Graphics2D g = image.createGraphics();

        Canvas() {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            // pure stroke control keeps the geometry exact instead of snapping it to pixel centres
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
        }
    }

    /**
     * The fraction of each output pixel that the shape covers, row-major SIZE x SIZE, in [0, 1].
     */
    public static float[] coverage(ShapeKind kind, RenderParams params) {
        Canvas c = CANVAS.get();
        Arrays.fill(c.pixels, (byte) 0);
        c.g.fill(ShapeOutline.placed(kind, params, HI));
        float[] alpha = new float[SIZE * SIZE];
        float norm = 1f / (255f * SUPERSAMPLE * SUPERSAMPLE);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int sum = 0;
                for (int dy = 0; dy < SUPERSAMPLE; dy++) {
                    int row = (y * SUPERSAMPLE + dy) * HI + x * SUPERSAMPLE;
                    for (int dx = 0; dx < SUPERSAMPLE; dx++) {
                        sum += c.pixels[row + dx] & 0xff;
                    }
                }
                alpha[y * SIZE + x] = sum * norm;
            }
        }
        return alpha;
    }

    /** The image, CHW float[3 * 32 * 32] in [0, 1]. */
    public static float[] render(ShapePrompt prompt, RenderParams params) {
        float[] alpha = coverage(prompt.shape(), params);
        Rgb fg = prompt.colour().rgb().plus(params.colourJitter()).clamped();
        Rgb bg = prompt.background().rgb().plus(params.backgroundJitter()).clamped();
        int plane = SIZE * SIZE;
        float[] chw = new float[VALUES];
        for (int ch = 0; ch < 3; ch++) {
            float b = (float) bg.channel(ch);
            float d = (float) fg.channel(ch) - b;
            for (int i = 0; i < plane; i++) {
                chw[ch * plane + i] = b + d * alpha[i];
            }
        }
        ImageDefects.apply(chw, SIZE, params);
        return chw;
    }

    /** The image as a 32x32 {@code TYPE_INT_RGB} image. */
    public static BufferedImage renderImage(ShapePrompt prompt, RenderParams params) {
        return toImage(render(prompt, params), SIZE);
    }

    /** A CHW float image in [0, 1] with {@code side} x {@code side} pixels as a TYPE_INT_RGB image. */
    public static BufferedImage toImage(float[] chw, int side) {
        int plane = side * side;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("image has " + chw.length + " values; expected 3 x " + side + " x " + side);
        }
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int r = toByte(chw[i]);
            int g = toByte(chw[plane + i]);
            int b = toByte(chw[2 * plane + i]);
            img.setRGB(i % side, i / side, (r << 16) | (g << 8) | b);
        }
        return img;
    }

    private static int toByte(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }
}
