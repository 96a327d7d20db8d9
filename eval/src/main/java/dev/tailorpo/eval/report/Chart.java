package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.io.AtomicFiles;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * A finished chart at a fixed size, exported as PNG (raster, for Markdown and quick looks) or SVG
 * (vector, inlined in {@link HtmlReport} and fit for papers). Made by {@link LineChart} and
 * {@link BarChart}. The size is fixed rather than taken from a window so that the same data always
 * gives the same picture.
 *
 * <p>Not safe for concurrent exports: the underlying JFreeChart keeps state while it draws.
 */
public final class Chart {
    public static final int DEFAULT_WIDTH = 720;
    public static final int DEFAULT_HEIGHT = 432;

    private final JFreeChart chart;
    private final int width;
    private final int height;

    Chart(JFreeChart chart, int width, int height) {
        if (width < 50 || height < 50 || width > 10_000 || height > 10_000) {
            throw new InvalidInputException("a chart must be 50..10000 pixels a side, got " + width + "x" + height);
        }
        this.chart = chart;
        this.width = width;
        this.height = height;
    }

    /** The same chart at another size. */
    public Chart withSize(int width, int height) {
        return new Chart(chart, width, height);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The chart drawn into an RGB image of {@link #width()} x {@link #height()}. */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            chart.draw(g, new Rectangle(0, 0, width, height));
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The chart as PNG bytes. */
    public byte[] toPng() {
        return Png.encode(toImage());
    }

    /**
     * The chart as an {@code <svg>} element with id {@code id}. Its clip paths and gradients get ids
     * starting with {@code id} too, so that several charts inlined in one HTML page cannot collide,
     * and the output is the same on every call (JFreeSVG would otherwise prefix them with the
     * clock).
     */
    public String toSvg(String id) {
        if (id == null || !id.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            throw new InvalidInputException("an SVG id must be a letter then letters, digits, '_' or '-', got '" + id + "'");
        }
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix(id + "-");
        chart.draw(g, new Rectangle(0, 0, width, height));
        // a viewBox lets a page scale the chart to its column width without distorting it
        return g.getSVGElement(id, true, new ViewBox(0, 0, width, height), PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET);
    }

    /** Writes the chart as a PNG file, atomically. */
    public void writePng(Path file) {
        Png.write(toImage(), file);
    }

    /** Writes the chart as a standalone SVG file (with its XML declaration), atomically. */
    public void writeSvg(Path file) {
        String svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + toSvg("chart") + "\n";
        AtomicFiles.writeString(file, svg);
    }
}
