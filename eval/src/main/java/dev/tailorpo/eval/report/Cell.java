package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Estimate;
import dev.tailorpo.eval.stats.Proportion;

/**
 * One cell of a {@link Table}: a reported mean (an {@link Estimate}, printed as mean ± SE with its
 * N), a rate (a {@link Proportion}, printed with its Wilson 95% interval and count, as Table 1's
 * "fraction whose step-wise reward rises"), or plain text, e.g. "n/a" where a method was not
 * trained on that reward. Keeping the statistic itself, not its printed form, lets each format
 * print it its own way (CSV at full precision in separate columns, LaTeX in math mode) and lets
 * the table find the best cell from unrounded values.
 */
public sealed interface Cell permits Cell.Value, Cell.Rate, Cell.Text {

    /** A cell showing {@code estimate}. */
    static Cell of(Estimate estimate) {
        return new Value(estimate);
    }

    /** A cell showing the rate of {@code proportion} with its Wilson 95% interval. */
    static Cell of(Proportion proportion) {
        return new Rate(proportion);
    }

    /** A cell showing {@code text} verbatim (escaped by each format). */
    static Cell text(String text) {
        return new Text(text);
    }

    /** An empty cell. */
    static Cell empty() {
        return new Text("");
    }

    /** A reported mean. */
    record Value(Estimate estimate) implements Cell {
        public Value {
            if (estimate == null) {
                throw new InvalidInputException("a table cell needs an estimate; use Cell.empty() for none");
            }
        }
    }

    /** A reported rate. */
    record Rate(Proportion proportion) implements Cell {
        public Rate {
            if (proportion == null) {
                throw new InvalidInputException("a table cell needs a proportion; use Cell.empty() for none");
            }
        }
    }

    /** Plain text; line breaks are not allowed, as no table format keeps them. */
    record Text(String text) implements Cell {
        public Text {
            if (text == null) {
                throw new InvalidInputException("a table cell needs text; use Cell.empty() for none");
            }
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                throw new InvalidInputException("a table cell cannot hold a line break: '" + text + "'");
            }
        }
    }
}
