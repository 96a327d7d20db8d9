package dev.tailorpo.diffusion.shapes;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A grid of samples, each upscaled by nearest neighbour (so the 32x32 pixels stay visible) and
 * captioned with its prompt and rating: the way to eyeball whether shapes and colours are
 * recognisable and whether the defects look like what the rating says.
 */
public final class ShapesContactSheet {
    private ShapesContactSheet() {}

    private static final int GAP = 6;
    private static final int CAPTION = 30;

    /** The sheet of {@code samples}, {@code columns} per row, each image upscaled {@code zoom} times. */
    public static BufferedImage render(List<ShapesSample> samples, int columns, int zoom) {
        int cell = ShapesRenderer.SIZE * zoom;
        int rows = (samples.size() + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(columns * (cell + GAP) + GAP, rows * (cell + CAPTION + GAP) + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(235, 235, 235));
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int i = 0; i < samples.size(); i++) {
                ShapesSample s = samples.get(i);
                int x = GAP + (i % columns) * (cell + GAP);
                int y = GAP + (i / columns) * (cell + CAPTION + GAP);
                g.drawImage(ShapesRenderer.toImage(s.image(), ShapesRenderer.SIZE), x, y, cell, cell, null);
                ShapePrompt p = s.prompt();
                g.setColor(Color.BLACK);
                g.drawString(p.size().word() + " " + p.colour().word() + " " + p.shape().word(), x, y + cell + 12);
                g.drawString("on " + p.background().word() + "   q " + String.format(Locale.ROOT, "%.1f", s.rating()),
                        x, y + cell + 25);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /**
     * Writes the sheet of the first {@code count} samples of a dataset:
     * {@code ShapesContactSheet out.png [seed] [count]} (defaults 0 and 64, 8 columns, zoom 5).
     */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/images/shapes-samples.png");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 0;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        ShapesDataset data = new ShapesDataset(seed);
        List<ShapesSample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(data.get(i));
        }
        try {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            ImageIO.write(render(samples, 8, 5), "png", out.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the contact sheet " + out, e);
        }
        System.out.println("wrote " + out);
    }
}
