package dev.tailorpo.eval.report;

import dev.tailorpo.eval.stats.Estimate;
import dev.tailorpo.eval.stats.Proportion;

import java.util.Locale;

/**
 * The pieces every table format prints a numeric cell from (its number and what it stands on), so
 * that all formats agree on them and differ only in markup.
 */
final class CellText {
    private CellText() {}

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
     * The number of a numeric cell with {@code digits} decimals: a mean and, when there is one, its
     * standard error joined by {@code plusMinus} (" ± ", or "\pm" in LaTeX math), "5.79 ± 0.04"; a
     * rate and its Wilson 95% interval, "0.97 [0.92, 0.99]".
     */
    static String number(Cell cell, int digits, String plusMinus) {
        if (cell instanceof Cell.Rate r) {
            Proportion.Interval ci = r.proportion().wilson95();
            return fixed(r.proportion().rate(), digits) + " [" + fixed(ci.low(), digits) + ", " + fixed(ci.high(), digits) + "]";
        }
        Estimate e = ((Cell.Value) cell).estimate();
        String mean = fixed(e.mean(), digits);
        return hasError(e) ? mean + plusMinus + fixed(e.se(), digits) : mean;
    }

    /**
     * What a numeric cell stands on: "N=225", or "N=225, 3 seeds" when its standard error is across
     * seeds, which a reader must know to read the error bar; "97/100" for a rate.
     */
    static String count(Cell cell) {
        if (cell instanceof Cell.Rate r) {
            return r.proportion().successes() + "/" + r.proportion().trials();
        }
        Estimate e = ((Cell.Value) cell).estimate();
        return e.acrossSeeds() ? "N=" + e.n() + ", " + e.seeds() + " seeds" : "N=" + e.n();
    }

    /** The value a cell is ranked by: a mean, a rate, or NaN for text (never best). */
    static double rankValue(Cell cell) {
        if (cell instanceof Cell.Value v) {
            return v.estimate().mean();
        }
        return cell instanceof Cell.Rate r ? r.proportion().rate() : Double.NaN;
    }
}
