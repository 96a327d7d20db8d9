package dev.tailorpo.eval.cli;

import org.apache.commons.cli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/** Typed option values with usage errors that name the option and what was given. */
public final class OptionValues {
    private OptionValues() {}

    /** A positive int option, or {@code fallback} when absent. */
    public static int positive(CommandLine line, String option, int fallback) {
        if (!line.hasOption(option)) {
            return fallback;
        }
        long v = longValue(line, option, 0);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new UsageException("--" + option + " must be a positive integer, got '" + line.getOptionValue(option) + "'");
        }
        return (int) v;
    }

    /** A long option, or {@code fallback} when absent. */
    public static long longValue(CommandLine line, String option, long fallback) {
        if (!line.hasOption(option)) {
            return fallback;
        }
        String text = line.getOptionValue(option);
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + ": expected an integer, got '" + text + "'");
        }
    }

    /** A finite number option, or {@code fallback} when absent. */
    public static double doubleValue(CommandLine line, String option, double fallback) {
        if (!line.hasOption(option)) {
            return fallback;
        }
        String text = line.getOptionValue(option);
        try {
            double v = Double.parseDouble(text.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + ": expected a number, got '" + text + "'");
        }
    }

    /** A comma-separated list of non-negative integers, or {@code fallback} when absent. */
    public static List<Integer> intList(CommandLine line, String option, List<Integer> fallback) {
        if (!line.hasOption(option)) {
            return fallback;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : line.getOptionValue(option).split(",")) {
            try {
                int v = Integer.parseInt(part.trim());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                out.add(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + option + ": expected comma-separated non-negative integers, got '"
                        + line.getOptionValue(option) + "'");
            }
        }
        return out;
    }
}
