package dev.tailorpo.diffusion.models.clip;

import java.util.Locale;

/**
 * Python's {@code str.lower()}: each code point's full lower-case mapping (İ becomes i + U+0307),
 * and capital sigma by the Unicode Final_Sigma rule. Java's {@code toLowerCase} decides final
 * sigma by word boundaries instead, so "ΑΣ_Β" and "ΑΣ1Β" keep a medial σ there where Python
 * writes ς. On every code point Java 17 knows, this agrees with Python 3.11 (alone, after a
 * cased letter, before or after a sigma) except U+1734, which Unicode 14 made a nonspacing mark.
 */
final class PythonCase {

    private static final int CAPITAL_SIGMA = 0x03a3;
    /** Word_Break MidLetter, MidNumLet and Single_Quote: the case-ignorable characters no general category gives. */
    private static final String WORD_BREAK_MIDDLE = ":\u00b7\u0387\u055f\u05f4\u2027\ufe13\ufe55\uff1a"
            + ".\u2018\u2019\u2024\ufe52\uff07\uff0e" + "'";

    private PythonCase() {}

    static String lower(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp == CAPITAL_SIGMA) {
                out.append(finalSigma(text, i) ? '\u03c2' : '\u03c3');
            } else if (cp < 0x80) {
                out.append(Character.toLowerCase((char) cp));
            } else {
                // a one-code-point string has no context, so this is the code point's own full mapping
                out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** Final_Sigma: a cased letter before, skipping case-ignorables, and none after. */
    private static boolean finalSigma(String text, int at) {
        int before = -1;
        for (int j = at; j > 0; ) {
            int cp = text.codePointBefore(j);
            if (!caseIgnorable(cp)) {
                before = cp;
                break;
            }
            j -= Character.charCount(cp);
        }
        if (before < 0 || !cased(before)) {
            return false;
        }
        for (int j = at + 1; j < text.length(); ) {
            int cp = text.codePointAt(j);
            if (!caseIgnorable(cp)) {
                return !cased(cp);
            }
            j += Character.charCount(cp);
        }
        return true;
    }

    private static boolean cased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    private static boolean caseIgnorable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT,
                    Character.MODIFIER_LETTER, Character.MODIFIER_SYMBOL -> true;
            default -> WORD_BREAK_MIDDLE.indexOf(cp) >= 0;
        };
    }
}
