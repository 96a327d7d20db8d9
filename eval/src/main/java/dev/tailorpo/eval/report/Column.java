package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;

/**
 * A data column of a {@link Table}: its header, which way it improves (for the bold best cell) and
 * how many decimals its estimates print with. Decimals are per column because rewards live on very
 * different scales (aesthetic 5.79, compressibility -105.5, an agreement rate 0.97).
 *
 * @param header the column's heading, plain text
 * @param better which cell is best: the highest mean, the lowest, or none
 * @param digits decimals of the mean and its standard error (0..10)
 */
public record Column(String header, Better better, int digits) {
    /** Decimals when a column does not say otherwise. */
    public static final int DEFAULT_DIGITS = 2;

    public Column {
        if (header == null || better == null) {
            throw new InvalidInputException("a column needs a header and a direction");
        }
        if (digits < 0 || digits > 10) {
            throw new InvalidInputException("column '" + header + "': digits must be 0..10, got " + digits);
        }
    }

    /** A column with no best cell and {@value #DEFAULT_DIGITS} decimals. */
    public static Column of(String header) {
        return new Column(header, Better.NONE, DEFAULT_DIGITS);
    }

    /** A column whose best cell is in bold, with {@value #DEFAULT_DIGITS} decimals. */
    public static Column of(String header, Better better) {
        return new Column(header, better, DEFAULT_DIGITS);
    }
}
