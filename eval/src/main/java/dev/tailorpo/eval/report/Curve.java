package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Proportion;
import dev.tailorpo.eval.stats.Summary;

import java.util.List;

/**
 * One named series of a {@link LineChart}: a mean line and the band [low, high] around it at each
 * x. Built from the runs of one method ({@link #overRuns}, Fig. 4: reward against training
 * samples) or from proportions with their Wilson intervals ({@link #ofProportions}, Fig. 2: the
 * agreement rate per timestep, and Table 1 as a figure). Immutable: arrays are copied in and out.
 */
public final class Curve {
    private final String name;
    private final double[] x;
    private final double[] mean;
    private final double[] low;
    private final double[] high;

    /**
     * A curve with an explicit band. All arrays have the same length; every value is finite and
     * {@code low <= mean <= high} at each point.
     */
    public Curve(String name, double[] x, double[] mean, double[] low, double[] high) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("a curve needs a name (its legend entry)");
        }
        int n = x.length;
        if (n == 0 || mean.length != n || low.length != n || high.length != n) {
            throw new InvalidInputException("curve '" + name + "' needs equally long, non-empty x, mean, low and high; got "
                    + n + ", " + mean.length + ", " + low.length + ", " + high.length);
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(mean[i]) || !Double.isFinite(low[i]) || !Double.isFinite(high[i])) {
                throw new InvalidInputException("curve '" + name + "' has a non-finite value at point " + i);
            }
            if (low[i] > mean[i] || mean[i] > high[i]) {
                throw new InvalidInputException("curve '" + name + "' at point " + i + ": the band [" + low[i] + ", "
                        + high[i] + "] does not hold the mean " + mean[i]);
            }
        }
        this.name = name;
        this.x = x.clone();
        this.mean = mean.clone();
        this.low = low.clone();
        this.high = high.clone();
    }

    /**
     * The mean over runs at each x with the chosen band. Every run must be logged at the same
     * {@code x} (e.g. the number of training samples seen), as the seeds of one config are.
     */
    public static Curve overRuns(String name, double[] x, List<double[]> runs, Spread spread) {
        if (runs.isEmpty()) {
            throw new InvalidInputException("curve '" + name + "' needs at least one run");
        }
        for (int r = 0; r < runs.size(); r++) {
            if (runs.get(r).length != x.length) {
                throw new InvalidInputException("curve '" + name + "': run " + r + " has " + runs.get(r).length
                        + " values for " + x.length + " x positions");
            }
        }
        double[] mean = new double[x.length];
        double[] low = new double[x.length];
        double[] high = new double[x.length];
        double[] atX = new double[runs.size()];
        for (int i = 0; i < x.length; i++) {
            for (int r = 0; r < runs.size(); r++) {
                atX[r] = runs.get(r)[i];
            }
            Summary s;
            try {
                s = Summary.of(atX);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("curve '" + name + "' at x = " + x[i] + ": " + e.getMessage(), e);
            }
            mean[i] = s.mean();
            boolean minMax = spread == Spread.MIN_MAX;
            // one run has no standard error: its band is the line itself
            double se = s.n() > 1 ? s.se() : 0;
            low[i] = minMax ? s.min() : s.mean() - se;
            high[i] = minMax ? s.max() : s.mean() + se;
        }
        return new Curve(name, x, mean, low, high);
    }

    /** Rates at each x with their Wilson 95% intervals as the band. */
    public static Curve ofProportions(String name, double[] x, List<Proportion> proportions) {
        if (proportions.size() != x.length) {
            throw new InvalidInputException("curve '" + name + "' has " + proportions.size() + " proportions for "
                    + x.length + " x positions");
        }
        double[] rate = new double[x.length];
        double[] low = new double[x.length];
        double[] high = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            Proportion p = proportions.get(i);
            Proportion.Interval ci = p.wilson95();
            rate[i] = p.rate();
            low[i] = ci.low();
            high[i] = ci.high();
        }
        return new Curve(name, x, rate, low, high);
    }

    public String name() {
        return name;
    }

    public int size() {
        return x.length;
    }

    public double[] x() {
        return x.clone();
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] low() {
        return low.clone();
    }

    public double[] high() {
        return high.clone();
    }
}
