package dev.tailorpo.diffusion.models.clip;

import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of {@code ftfy.fix_text} (ftfy 6.3.1, default configuration), which open_clip runs
 * first on every prompt, that can be stated exactly: {@code unescape_html}, {@code fix_c1_controls},
 * {@code fix_latin_ligatures}, {@code fix_character_width}, {@code uncurl_quotes},
 * {@code fix_surrogates}, {@code remove_terminal_escapes}, {@code remove_control_chars} and NFC, in
 * ftfy's order, repeated until the text stops changing, on each line (up to and including its
 * '\n') on its own.
 * <p>
 * Not reproduced:
 * <ul>
 *   <li>{@code fix_encoding}: mojibake repair (re-decoding text that was decoded in the wrong
 *       encoding, with {@code restore_byte_a0}, {@code replace_lossy_sequences} and
 *       {@code decode_inconsistent_utf8}), which decides by a heuristic "badness" score over
 *       character classes. It leaves correctly decoded text alone unless that text looks like
 *       mojibake ("Ã©" meant literally); a mojibake prompt ("cafÃ©") tokenizes here as written.</li>
 *   <li>{@code fix_line_breaks} (CR LF, CR, U+2028, U+2029, NEL to LF): every one of them is
 *       whitespace that the tokenizer collapses to one space afterwards, so it changes no id.</li>
 *   <li>{@code max_decode_length}: ftfy also cuts lines longer than a million code points.</li>
 * </ul>
 */
final class FtfyFixes {

    /** ftfy's HTML_ENTITY_RE: only references closed by a semicolon. */
    private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    /** ftfy's ANSI_RE; Python's \d is any decimal digit. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[(?:\\d|;)*[a-zA-Z]",
            Pattern.UNICODE_CHARACTER_CLASS);
    /** ftfy's LIGATURES: Latin ligatures and digraphs, to the letters they stand for. */
    private static final Map<Character, String> LIGATURES = Map.ofEntries(
            Map.entry('\u0132', "IJ"), Map.entry('\u0133', "ij"), Map.entry('\u0149', "\u02bcn"),
            Map.entry('\u01f1', "DZ"), Map.entry('\u01f2', "Dz"), Map.entry('\u01f3', "dz"),
            Map.entry('\u01c4', "D\u017d"), Map.entry('\u01c5', "D\u017e"), Map.entry('\u01c6', "d\u017e"),
            Map.entry('\u01c7', "LJ"), Map.entry('\u01c8', "Lj"), Map.entry('\u01c9', "lj"),
            Map.entry('\u01ca', "NJ"), Map.entry('\u01cb', "Nj"), Map.entry('\u01cc', "nj"),
            Map.entry('\ufb00', "ff"), Map.entry('\ufb01', "fi"), Map.entry('\ufb02', "fl"),
            Map.entry('\ufb03', "ffi"), Map.entry('\ufb04', "ffl"), Map.entry('\ufb05', "\u017ft"),
            Map.entry('\ufb06', "st"));
    /** C1 controls 0x80-0x9f read as windows-1252; its five unassigned bytes stay as they are ("sloppy"). */
    private static final char[] C1_AS_WINDOWS_1252 = c1AsWindows1252();

    private FtfyFixes() {}

    /** {@code ftfy.fix_text(text)} without the fixes listed in the class comment. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        for (int pos = 0; pos < text.length(); ) {
            int end = text.indexOf('\n', pos) + 1;
            if (end == 0) {
                end = text.length();
            }
            String line = text.substring(pos, end);
            if (line.indexOf('<') >= 0) {
                // ftfy's unescape_html="auto": a line with '<' may be HTML, so leave its entities;
                // fix_text keeps the setting it switched off for every later line too
                unescapeHtml = false;
            }
            out.append(fixLine(line, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixLine(String line, boolean unescapeHtml) {
        String text = line;
        while (true) {
            String before = text;
            if (unescapeHtml) {
                text = unescapeHtml(text);
            }
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixSurrogates(text);
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");   // remove_terminal_escapes: ANSI colour codes
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);   // ftfy's default normalization
            if (text.equals(before)) {
                return text;
            }
        }
    }

    /**
     * ftfy's unescape_html: named references that end in a semicolon (not the legacy forms without
     * one, nor prefixes), numeric ones when html.unescape consumes the semicolon, and the all-caps
     * form of a lower-case name (P&EACUTE;REZ) when that form is no reference of its own.
     */
    private static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = HTML_ENTITY.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(reference(r.group())));
    }

    private static String reference(String ref) {
        String name = ref.substring(1, ref.length() - 1);
        String named = HtmlEntities.named(name);
        if (named != null) {
            return named;
        }
        if (name.startsWith("#")) {
            String unescaped = HtmlEntities.unescape(ref);
            return unescaped.contains(";") ? ref : unescaped;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String lowerNamed = HtmlEntities.named(lower);
        if (lowerNamed != null && name.equals(lower.toUpperCase(Locale.ROOT)) && HtmlEntities.unescape(ref).equals(ref)) {
            return lowerNamed.toUpperCase(Locale.ROOT);
        }
        return ref;
    }

    /** C1 controls to the windows-1252 characters they stand for, as browsers read them. */
    private static String fixC1Controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, C1_AS_WINDOWS_1252[c - 0x80]);
            }
        }
        return out == null ? text : out.toString();
    }

    /** Latin ligatures and digraphs (ﬁ, ĳ, ǆ) to their letters; other scripts' ligatures stay. */
    private static String fixLatinLigatures(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(LIGATURES.getOrDefault((char) c, String.valueOf((char) c))));
        return out.toString();
    }

    /** Fullwidth and halfwidth forms U+FF01-U+FFEF to their NFKC form, and the ideographic space to a space. */
    private static String fixCharacterWidth(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u3000') {
                out.append(' ');
            } else if (c >= '\uff01' && c <= '\uffef') {
                out.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Curly single quotes (and the modifier apostrophe U+02BC) to ', curly double quotes to ". */
    private static String uncurlQuotes(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u02bc' || (c >= '\u2018' && c <= '\u201b')) {
                out.append('\'');
            } else if (c >= '\u201c' && c <= '\u201f') {
                out.append('"');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A surrogate that is not half of a pair becomes U+FFFD (a Java string's pairs are already the
     * characters that ftfy's surrogate-pair step rebuilds in Python strings).
     */
    private static String fixSurrogates(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            out.appendCodePoint(cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xfffd : cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * Deletes C0 controls other than tab, LF, FF and CR, DEL, the deprecated Arabic format
     * controls U+206A-U+206F, the byte order mark and U+FFF9-U+FFFC.
     */
    private static String removeControlChars(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f
                    || (c >= '\u206a' && c <= '\u206f') || c == '\ufeff' || (c >= '\ufff9' && c <= '\ufffc');
            if (!control) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static char[] c1AsWindows1252() {
        Charset windows1252 = Charset.forName("windows-1252");
        char[] table = new char[0x20];
        for (int b = 0x80; b <= 0x9f; b++) {
            char c = new String(new byte[] {(byte) b}, windows1252).charAt(0);
            table[b - 0x80] = c == '\ufffd' ? (char) b : c;
        }
        return table;
    }
}
