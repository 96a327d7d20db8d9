package dev.tailorpo.diffusion.models.bert;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * BERT's WordPiece step: one word (already lower-cased and split off punctuation) into vocabulary
 * pieces, greedily taking the longest piece from the vocabulary at each position; pieces after the
 * first carry the {@code ##} prefix. A word that cannot be covered, or that is longer than
 * {@link #MAX_WORD_LENGTH} characters, becomes the unknown token as a whole, not piece by piece.
 * Lengths and positions count code points, as Python's do.
 */
final class WordPiece {

    /** transformers' {@code max_input_chars_per_word}. */
    static final int MAX_WORD_LENGTH = 100;

    private static final String CONTINUATION = "##";

    private final Set<String> vocab;
    private final String unknown;
    /** Code points of the longest vocabulary entry: no longer candidate can match, so none is built. */
    private final int longest;

    /** {@code vocab} is the vocabulary file's tokens only: tokens added after it are never pieces. */
    WordPiece(Set<String> vocab, String unknown) {
        this.vocab = vocab;
        this.unknown = unknown;
        this.longest = vocab.stream().mapToInt(t -> t.codePointCount(0, t.length())).max().orElse(0);
    }

    /** Appends the pieces of {@code word} (or the unknown token) to {@code out}. */
    void split(String word, List<String> out) {
        int length = word.codePointCount(0, word.length());
        if (length > MAX_WORD_LENGTH) {
            out.add(unknown);
            return;
        }
        int[] offset = new int[length + 1];   // char offset of each code point, and the end
        for (int i = 0, at = 0; i < length; i++) {
            offset[i] = at;
            at += Character.charCount(word.codePointAt(at));
            offset[i + 1] = at;
        }
        List<String> pieces = new ArrayList<>();
        for (int start = 0; start < length; ) {
            String piece = null;
            int end = Math.min(length, start + longest);
            for (; end > start; end--) {
                String candidate = word.substring(offset[start], offset[end]);
                if (start > 0) {
                    candidate = CONTINUATION + candidate;
                }
                if (vocab.contains(candidate)) {
                    piece = candidate;
                    break;
                }
            }
            if (piece == null) {
                out.add(unknown);
                return;
            }
            pieces.add(piece);
            start = end;
        }
        out.addAll(pieces);
    }
}
