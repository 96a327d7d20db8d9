package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mean lines with shaded bands, one per {@link Curve}: the reward curves of Fig. 4 (reward against
 * training samples, mean and spread over seeds, one curve per method) and the agreement rate per
 * timestep of Fig. 2 (with Wilson intervals). Axes do not force zero into view, since rewards
 * such as an aesthetic score of 5.8 to 7 would be squashed against the top.
 */
public final class LineChart {
    static {
        Headless.ensure();
    }

    private LineChart() {}

    /** The chart of {@code curves} in legend order, at the default size. */
    public static Chart of(String title, String xLabel, String yLabel, List<Curve> curves) {
        if (curves.isEmpty()) {
            throw new InvalidInputException("a line chart needs at least one curve");
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        Set<String> names = new HashSet<>();
        for (Curve c : curves) {
            if (!names.add(c.name())) {
                throw new InvalidInputException("two curves are named '" + c.name() + "'; the legend could not tell them apart");
            }
            YIntervalSeries s = new YIntervalSeries(c.name(), false, true);
            double[] x = c.x();
            double[] mean = c.mean();
            double[] low = c.low();
            double[] high = c.high();
            for (int i = 0; i < x.length; i++) {
                s.add(x[i], mean[i], low[i], high[i]);
            }
            data.addSeries(s);
        }
        NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setAutoRangeIncludesZero(false);
        NumberAxis yAxis = new NumberAxis(yLabel);
        yAxis.setAutoRangeIncludesZero(false);
        DeviationRenderer renderer = new DeviationRenderer(true, false);
        renderer.setAlpha(0.2f);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, new XYPlot(data, xAxis, yAxis, renderer), true);
        ChartStyle.apply(chart);
        ChartStyle.colourSeries(renderer, curves.size());
        return new Chart(chart, Chart.DEFAULT_WIDTH, Chart.DEFAULT_HEIGHT);
    }
}
