package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.rewards.image.Images;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples side by side for eyeballing: one row per method, one column per prompt or seed, so that
 * every column compares the methods on the same initial noise. Small images are enlarged by an
 * integer factor with nearest-neighbour sampling (a 32x32 shapes-world sample becomes 128x128 at
 * the default zoom), which keeps each generated pixel a visible block instead of blurring it into
 * its neighbours. Column labels wrap to the cell width (prompts are long); row labels sit left of
 * their row.
 *
 * <p>All images share one size. Rendering is plain Java2D on a white background with the logical
 * SansSerif font, so the same inputs give the same picture on a machine.
 */
public final class ImageGrid {
    static {
        Headless.ensure();
    }

    /** The enlarged cell side that {@link Builder#build()} aims for when no zoom is given. */
    public static final int TARGET_CELL = 128;
    private static final int MARGIN = 8;
    private static final int GAP = 4;
    private static final int MAX_ROW_LABEL_WIDTH = 160;
    private static final int MAX_COLUMN_LABEL_LINES = 3;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private final List<List<BufferedImage>> rows;
    private final int zoom;
    private final int cellWidth;
    private final int cellHeight;
    private final List<List<String>> columnLines = new ArrayList<>();
    private final List<List<String>> rowLines = new ArrayList<>();
    private final int lineHeight;
    private final int ascent;
    private final int rowLabelWidth;
    private final int headerHeight;

    private ImageGrid(List<String> columnLabels, List<String> rowLabels, List<List<BufferedImage>> rows, int zoom) {
        this.rows = rows.stream().map(List::copyOf).toList();
        BufferedImage first = rows.get(0).get(0);
        this.zoom = zoom > 0 ? zoom : Math.max(1, TARGET_CELL / Math.max(first.getWidth(), first.getHeight()));
        this.cellWidth = first.getWidth() * this.zoom;
        this.cellHeight = first.getHeight() * this.zoom;
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            prepare(g);
            FontMetrics fm = g.getFontMetrics();
            lineHeight = fm.getHeight();
            ascent = fm.getAscent();
            int widest = 0;
            for (String label : columnLabels) {
                columnLines.add(TextWrap.wrap(label, fm, cellWidth, MAX_COLUMN_LABEL_LINES));
            }
            int rowLabelLines = Math.max(1, cellHeight / lineHeight);
            for (String label : rowLabels) {
                List<String> lines = TextWrap.wrap(label, fm, MAX_ROW_LABEL_WIDTH, rowLabelLines);
                rowLines.add(lines);
                for (String line : lines) {
                    widest = Math.max(widest, fm.stringWidth(line));
                }
            }
            rowLabelWidth = widest;
        } finally {
            g.dispose();
        }
        int maxLines = columnLines.stream().mapToInt(List::size).max().orElse(0);
        headerHeight = maxLines == 0 ? 0 : maxLines * lineHeight + GAP;
    }

    /** Starts a grid whose columns are headed {@code columnLabels} (prompts, seeds, ...). */
    public static Builder builder(List<String> columnLabels) {
        return new Builder(columnLabels);
    }

    /** Collects the rows of a grid. */
    public static final class Builder {
        private final List<String> columnLabels;
        private final List<String> rowLabels = new ArrayList<>();
        private final List<List<BufferedImage>> rows = new ArrayList<>();
        private int zoom;

        private Builder(List<String> columnLabels) {
            this.columnLabels = List.copyOf(columnLabels);
            if (this.columnLabels.isEmpty()) {
                throw new InvalidInputException("an image grid needs at least one column");
            }
        }

        /** Adds a row of images, one per column. */
        public Builder row(String label, List<BufferedImage> images) {
            if (label == null) {
                throw new InvalidInputException("a grid row needs a label (may be empty)");
            }
            if (images.size() != columnLabels.size()) {
                throw new InvalidInputException("grid row '" + label + "' has " + images.size() + " images for "
                        + columnLabels.size() + " columns");
            }
            rowLabels.add(label);
            rows.add(List.copyOf(images));
            return this;
        }

        /**
         * Adds a row of images given as (3, H, W) RGB values in [0, 1], as a pipeline decodes them;
         * they become 8-bit as DDPO saves its samples (rounded, clamped; a NaN pixel is refused).
         */
        public Builder rowOfPixels(String label, List<float[][][]> images) {
            List<BufferedImage> converted = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                converted.add(toImage(images.get(i), "grid row '" + label + "', image " + i));
            }
            return row(label, converted);
        }

        /** Enlarges every image {@code zoom} times (1..16); default: up to about {@value #TARGET_CELL} pixels. */
        public Builder zoom(int zoom) {
            if (zoom < 1 || zoom > 16) {
                throw new InvalidInputException("grid zoom must be 1..16, got " + zoom);
            }
            this.zoom = zoom;
            return this;
        }

        public ImageGrid build() {
            if (rows.isEmpty()) {
                throw new InvalidInputException("an image grid needs at least one row");
            }
            BufferedImage first = rows.get(0).get(0);
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < rows.get(r).size(); c++) {
                    BufferedImage img = rows.get(r).get(c);
                    if (img.getWidth() != first.getWidth() || img.getHeight() != first.getHeight()) {
                        throw new InvalidInputException("grid image at row '" + rowLabels.get(r) + "', column '"
                                + columnLabels.get(c) + "' is " + img.getWidth() + "x" + img.getHeight()
                                + "; the others are " + first.getWidth() + "x" + first.getHeight());
                    }
                }
            }
            return new ImageGrid(columnLabels, rowLabels, rows, zoom);
        }
    }

    /** The factor every image is enlarged by. */
    public int zoom() {
        return zoom;
    }

    /** The width of the rendered grid in pixels. */
    public int width() {
        return MARGIN + rowLabelWidth + GAP + columnLines.size() * (cellWidth + GAP) - GAP + MARGIN;
    }

    /** The height of the rendered grid in pixels. */
    public int height() {
        return MARGIN + headerHeight + rows.size() * (cellHeight + GAP) - GAP + MARGIN;
    }

    /** Where the enlarged image of ({@code row}, {@code column}) lies in the rendered grid. */
    public Rectangle cellBounds(int row, int column) {
        int x = MARGIN + rowLabelWidth + GAP + column * (cellWidth + GAP);
        int y = MARGIN + headerHeight + row * (cellHeight + GAP);
        return new Rectangle(x, y, cellWidth, cellHeight);
    }

    /** Draws the grid into a new RGB image of {@link #width()} x {@link #height()}. */
    public BufferedImage render() {
        BufferedImage out = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            prepare(g);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setColor(Color.BLACK);
            FontMetrics fm = g.getFontMetrics();
            for (int c = 0; c < columnLines.size(); c++) {
                Rectangle cell = cellBounds(0, c);
                List<String> lines = columnLines.get(c);
                // bottom-aligned, so that each label sits just above its column
                int y = MARGIN + headerHeight - GAP - lines.size() * lineHeight + ascent;
                for (String line : lines) {
                    g.drawString(line, cell.x + (cellWidth - fm.stringWidth(line)) / 2, y);
                    y += lineHeight;
                }
            }
            for (int r = 0; r < rows.size(); r++) {
                Rectangle cell = cellBounds(r, 0);
                List<String> lines = rowLines.get(r);
                int y = cell.y + (cellHeight - lines.size() * lineHeight) / 2 + ascent;
                for (String line : lines) {
                    g.drawString(line, MARGIN, y);
                    y += lineHeight;
                }
                for (int c = 0; c < rows.get(r).size(); c++) {
                    Rectangle at = cellBounds(r, c);
                    g.drawImage(rows.get(r).get(c), at.x, at.y, at.width, at.height, null);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void prepare(Graphics2D g) {
        g.setFont(FONT);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    }

    /** A (3, H, W) image in [0, 1] as 8-bit RGB, through the rounding the rewards use. */
    static BufferedImage toImage(float[][][] chw, String what) {
        if (chw.length != 3 || chw[0].length == 0 || chw[0][0].length == 0) {
            throw new InvalidInputException(what + ": expected (3, H, W) pixels, got " + chw.length + " channels");
        }
        int h = chw[0].length;
        int w = chw[0][0].length;
        float[] flat = new float[3 * h * w];
        for (int ch = 0; ch < 3; ch++) {
            if (chw[ch].length != h) {
                throw new InvalidInputException(what + ": channel " + ch + " has " + chw[ch].length + " rows, not " + h);
            }
            for (int y = 0; y < h; y++) {
                if (chw[ch][y].length != w) {
                    throw new InvalidInputException(what + ": channel " + ch + ", row " + y + " has "
                            + chw[ch][y].length + " pixels, not " + w);
                }
                System.arraycopy(chw[ch][y], 0, flat, (ch * h + y) * w, w);
            }
        }
        try {
            return Images.toRgb(flat, h, w);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage(), e);
        }
    }
}
