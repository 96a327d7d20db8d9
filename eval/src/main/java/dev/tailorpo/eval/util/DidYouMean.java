package dev.tailorpo.eval.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Suggests the nearest known word for a mistyped one (a command, a config key). */
public final class DidYouMean {
    private DidYouMean() {}

    /**
     * The candidate closest to {@code word} by edit distance, if it is close enough to be a likely
     * typo (at most a third of the word's letters wrong, at least one allowed) or one is a prefix of
     * the other.
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        int allowed = Math.max(1, w.length() / 3);
        return candidates.stream()
                .filter(c -> !c.isEmpty())
                .filter(c -> distance(w, c.toLowerCase(java.util.Locale.ROOT)) <= allowed
                        || (w.length() >= 3 && c.toLowerCase(java.util.Locale.ROOT).startsWith(w)))
                .min(Comparator.comparingInt((String c) -> distance(w, c.toLowerCase(java.util.Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one each. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
