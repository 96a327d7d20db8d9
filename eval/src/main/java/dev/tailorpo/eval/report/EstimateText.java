package dev.tailorpo.eval.report;

import dev.tailorpo.eval.stats.Estimate;

import java.util.Locale;

/** The pieces every table format prints an estimate from, so that all formats agree on them. */
final class EstimateText {
    private EstimateText() {}

    /** {@code value} with {@code digits} decimals, a point as separator whatever the locale, and no "-0.00". */
    static String fixed(double value, int digits) {
        String s = String.format(Locale.ROOT, "%." + digits + "f", value);
        if (s.startsWith("-") && Double.parseDouble(s) == 0) {
            return s.substring(1);
        }
        return s;
    }

    /** Whether the estimate has a standard error to print (one value has none). */
    static boolean hasError(Estimate e) {
        return Double.isFinite(e.se());
    }

    /**
     * The mean and, when there is one, its standard error joined by {@code plusMinus} (" ± ", or
     * "\pm" in LaTeX math), both with {@code digits} decimals.
     */
    static String value(Estimate e, int digits, String plusMinus) {
        String mean = fixed(e.mean(), digits);
        return hasError(e) ? mean + plusMinus + fixed(e.se(), digits) : mean;
    }

    /**
     * What the estimate stands on: "N=225", or "N=225, 3 seeds" when its standard error is across
     * seeds, which a reader must know to read the error bar.
     */
    static String count(Estimate e) {
        return e.acrossSeeds() ? "N=" + e.n() + ", " + e.seeds() + " seeds" : "N=" + e.n();
    }
}
