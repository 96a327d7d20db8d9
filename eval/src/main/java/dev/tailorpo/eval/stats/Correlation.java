package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Pearson and Spearman correlation of paired values (e.g. step-wise reward at t against the final
 * reward, or two rewards on the same images).
 */
public final class Correlation {
    private Correlation() {}

    /** Pearson's r; NaN when either side is constant (no linear relation is defined). */
    public static double pearson(double[] x, double[] y) {
        check(x, y);
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /**
     * Spearman's rho: Pearson's r of the ranks, ties given their average rank (as
     * {@code scipy.stats.spearmanr}), so it stays correct when rewards repeat.
     */
    public static double spearman(double[] x, double[] y) {
        check(x, y);
        return pearson(ranks(x), ranks(y));
    }

    /** Ranks from 1 to n, with tied values sharing the mean of the ranks they span. */
    public static double[] ranks(double[] values) {
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new InvalidInputException("correlation needs pairs: " + x.length + " values against " + y.length);
        }
        if (x.length < 2) {
            throw new InvalidInputException("correlation needs at least two pairs, got " + x.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new InvalidInputException("correlation of non-finite values at pair " + i + ": " + x[i] + ", " + y[i]);
            }
        }
    }
}
