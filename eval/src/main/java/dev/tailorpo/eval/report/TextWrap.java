package dev.tailorpo.eval.report;

import java.awt.FontMetrics;
import java.util.ArrayList;
import java.util.List;

/** Greedy word wrapping of a label into lines no wider than a width, for {@link ImageGrid}. */
final class TextWrap {
    private TextWrap() {}

    private static final String ELLIPSIS = "…";

    /**
     * {@code text} broken at spaces into lines of at most {@code width} pixels; a word wider than a
     * line is broken between characters. Beyond {@code maxLines} the last line ends in an ellipsis,
     * so a long prompt cannot push the images off the page. An empty text has no lines.
     */
    static List<String> wrap(String text, FontMetrics fm, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line.setLength(0);
            }
            // a word too wide for a line of its own is cut where it overflows
            String rest = word;
            while (fm.stringWidth(rest) > width && rest.length() > 1) {
                int fit = fit(rest, fm, width);
                lines.add(rest.substring(0, fit));
                rest = rest.substring(fit);
            }
            line.append(rest);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        if (lines.size() <= maxLines) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
        String last = kept.get(maxLines - 1);
        while (!last.isEmpty() && fm.stringWidth(last + ELLIPSIS) > width) {
            last = last.substring(0, last.length() - 1);
        }
        kept.set(maxLines - 1, last.stripTrailing() + ELLIPSIS);
        return kept;
    }

    /** How many leading characters of {@code s} fit in {@code width} (at least one, so wrapping progresses). */
    private static int fit(String s, FontMetrics fm, int width) {
        int n = 1;
        while (n < s.length() && fm.stringWidth(s.substring(0, n + 1)) <= width) {
            n++;
        }
        return n;
    }
}
