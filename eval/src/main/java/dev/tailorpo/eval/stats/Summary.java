package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

/**
 * The usual description of a sample: size, mean, sample standard deviation (n - 1 in the
 * denominator, as numpy's {@code std(ddof=1)} and R's {@code sd}), standard error of the mean
 * ({@code sd / sqrt(n)}), minimum and maximum.
 *
 * <p>With one value the spread is unknown, so {@code sd} and {@code se} are NaN rather than 0: a
 * table then prints the mean alone instead of claiming a zero error.
 */
public record Summary(int n, double mean, double sd, double se, double min, double max) {

    /**
     * Summarises {@code values}. Non-finite values are refused: a NaN reward would otherwise turn a
     * whole table cell into NaN without saying which image caused it.
     */
    public static Summary of(double... values) {
        if (values.length == 0) {
            throw new InvalidInputException("cannot summarise an empty sample");
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                throw new InvalidInputException("cannot summarise a sample holding " + v + " (value " + i + ")");
            }
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int n = values.length;
        double mean = sum / n;
        // two passes: the squared deviations from the known mean, which keeps its precision for
        // rewards with a large offset (compressibility around -100) where sum-of-squares would not
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double sd = n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN;
        return new Summary(n, mean, sd, sd / Math.sqrt(n), min, max);
    }

    /** What a table reports for this sample: its mean and standard error over its n values, one seed. */
    public Estimate estimate() {
        return new Estimate(mean, se, n, 1);
    }
}
