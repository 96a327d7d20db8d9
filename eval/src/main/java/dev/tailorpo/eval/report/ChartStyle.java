package dev.tailorpo.eval.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.renderer.AbstractRenderer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/**
 * The one look of every chart: white background, light grid, the logical SansSerif font at fixed
 * sizes (so that a chart renders the same on every run of a machine), and the Okabe-Ito palette,
 * which stays distinguishable under the common colour-vision deficiencies. Series take colours in
 * order, so a caller that always lists methods in the same order gets each method the same colour
 * in every chart.
 */
final class ChartStyle {
    private ChartStyle() {}

    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
    };

    /** Applies the fonts and background colours to a whole chart; call before {@link #colourSeries}. */
    static void apply(JFreeChart chart) {
        StandardChartTheme theme = new StandardChartTheme("tailorpo");
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setLegendBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(new Color(0xDDDDDD));
        theme.setRangeGridlinePaint(new Color(0xDDDDDD));
        theme.setPlotOutlinePaint(Color.GRAY);
        theme.setShadowVisible(false);
        theme.apply(chart);
        // JFreeChart smooths shapes but not text by default; unsmoothed text looks broken in a PNG
        chart.setTextAntiAlias(true);
    }

    /**
     * Gives series 0..count-1 the palette's colours (line and fill) and a 2 px line. Must follow
     * {@link #apply}: a theme clears per-series paints of the renderers it styles.
     */
    static void colourSeries(AbstractRenderer renderer, int count) {
        for (int i = 0; i < count; i++) {
            Color c = PALETTE[i % PALETTE.length];
            renderer.setSeriesPaint(i, c, false);
            renderer.setSeriesFillPaint(i, c, false);
            renderer.setSeriesStroke(i, new BasicStroke(2f), false);
        }
    }
}
