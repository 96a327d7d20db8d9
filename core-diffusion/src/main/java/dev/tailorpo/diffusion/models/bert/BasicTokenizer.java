package dev.tailorpo.diffusion.models.bert;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * BERT's basic tokenization of uncased text (transformers' {@code BasicTokenizer} with
 * {@code do_lower_case=True}): text into words for {@link WordPiece}.
 * <ol>
 *   <li>NUL, U+FFFD and every "other" character (categories Cc, Cf, Cs, Co, Cn: transformers'
 *       {@code _is_control} tests the category's first letter, wider than Google BERT's Cc/Cf) are
 *       dropped, except tab, newline and carriage return, which are whitespace; whitespace (those
 *       three, space, Zs) becomes a space;</li>
 *   <li>CJK ideographs get a space on either side, so each is a word;</li>
 *   <li>NFC, then words are split at spaces and at U+2028/U+2029, the characters that still
 *       count as whitespace for Python's {@code str.split} after the first step;</li>
 *   <li>each word is lower-cased and its accents stripped (NFD, marks of category Mn dropped, no
 *       recomposition, so Hangul syllables come out as jamo), then every punctuation character is
 *       cut out as a word of its own.</li>
 * </ol>
 * A word equal to one of the {@code neverSplit} tokens is passed on untouched (transformers'
 * {@code never_split}, which BertTokenizer fills with its special tokens). Those are cut out of the
 * text before it gets here, so this only matters for one that cleaning reassembles.
 */
final class BasicTokenizer {

    private final Set<String> neverSplit;

    BasicTokenizer(Set<String> neverSplit) {
        this.neverSplit = neverSplit;
    }

    /** Appends the words of {@code text} to {@code out}. */
    void words(String text, List<String> out) {
        String normalized = Normalizer.normalize(clean(text), Normalizer.Form.NFC);
        int start = -1;
        for (int i = 0; i <= normalized.length(); ) {
            int cp = i < normalized.length() ? normalized.codePointAt(i) : ' ';
            if (separatesWords(cp)) {
                if (start >= 0) {
                    word(normalized.substring(start, i), out);
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
    }

    private void word(String token, List<String> out) {
        if (neverSplit.contains(token)) {
            out.add(token);
            return;
        }
        String word = stripAccents(token.toLowerCase(Locale.ROOT));
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            if (isPunctuation(cp)) {
                if (!part.isEmpty()) {
                    out.add(part.toString());
                    part.setLength(0);
                }
                out.add(Character.toString(cp));
            } else {
                part.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (!part.isEmpty()) {
            out.add(part.toString());
        }
    }

    /** Steps 1 and 2 in one pass. */
    private static String clean(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                out.append(' ');
            } else if (isCjkIdeograph(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static String stripAccents(String word) {
        if (word.chars().allMatch(c -> c < 0x80)) {
            return word;   // ASCII has no decompositions and no marks
        }
        String decomposed = Normalizer.normalize(word, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints()
                .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** After {@link #clean}, what Python's {@code str.split()} still splits at. */
    private static boolean separatesWords(int cp) {
        return cp == ' ' || cp == 0x2028 || cp == 0x2029;
    }

    /**
     * Every non-alphanumeric printable ASCII character (so {@code $ + < = > ^ ` | ~}, symbols to
     * Unicode, split too) and every character of a Unicode punctuation category.
     */
    private static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The blocks BERT's {@code _is_chinese_char} lists: CJK Unified Ideographs, Extensions A-E, compatibility ideographs. */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
