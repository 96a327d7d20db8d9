package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Estimate;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

import java.awt.Color;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Grouped bars with error bars: one group per category (e.g. an evaluation reward, or a trained
 * timestep), one coloured bar per series (e.g. a method) at the estimate's mean, its error bar
 * the mean ± the estimate's standard error, the same error the tables print (none for a single
 * value). Bars start at zero, as bar lengths are read against it.
 */
public final class BarChart {
    static {
        Headless.ensure();
    }

    private final String title;
    private final String categoryLabel;
    private final String valueLabel;
    private final DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
    private final Set<String> series = new LinkedHashSet<>();

    private BarChart(String title, String categoryLabel, String valueLabel) {
        this.title = title;
        this.categoryLabel = categoryLabel;
        this.valueLabel = valueLabel;
    }

    /** Starts a bar chart; add bars with {@link #bar}, then {@link #build()}. */
    public static BarChart builder(String title, String categoryLabel, String valueLabel) {
        return new BarChart(title, categoryLabel, valueLabel);
    }

    /**
     * Adds the bar of {@code series} in group {@code category}. Groups and series appear in the
     * order first added.
     */
    public BarChart bar(String series, String category, Estimate estimate) {
        if (!Double.isFinite(estimate.mean())) {
            throw new InvalidInputException("bar '" + series + "' / '" + category + "' has a non-finite mean " + estimate.mean());
        }
        if (data.getRowIndex(series) >= 0 && data.getColumnIndex(category) >= 0
                && data.getMeanValue(series, category) != null) {
            throw new InvalidInputException("bar '" + series + "' / '" + category + "' is given twice");
        }
        Double se = Double.isFinite(estimate.se()) ? estimate.se() : null;
        data.add(Double.valueOf(estimate.mean()), se, series, category);
        this.series.add(series);
        return this;
    }

    /** The chart at the default size. */
    public Chart build() {
        if (series.isEmpty()) {
            throw new InvalidInputException("a bar chart needs at least one bar");
        }
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT,
                new CategoryPlot(copy(), new CategoryAxis(categoryLabel), new NumberAxis(valueLabel), renderer), true);
        ChartStyle.apply(chart);
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setErrorIndicatorPaint(Color.DARK_GRAY);
        renderer.setItemMargin(0.05);
        ChartStyle.colourSeries(renderer, series.size());
        return new Chart(chart, Chart.DEFAULT_WIDTH, Chart.DEFAULT_HEIGHT);
    }

    /** A copy of the data, so that bars added after {@link #build()} do not change a built chart. */
    private DefaultStatisticalCategoryDataset copy() {
        try {
            return (DefaultStatisticalCategoryDataset) data.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("JFreeChart's dataset refused to clone", e);
        }
    }
}
