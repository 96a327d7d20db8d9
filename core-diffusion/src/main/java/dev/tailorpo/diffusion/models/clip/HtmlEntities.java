package dev.tailorpo.diffusion.models.clip;

import org.jsoup.nodes.Entities;
import org.jsoup.parser.Parser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML5 character references as Python's {@code html.unescape} decodes them (open_clip's
 * tokenizer runs it twice on every prompt). jsoup does the decoding: named references with the
 * full HTML5 table, including the legacy names without a semicolon and the longest-prefix rule
 * ({@code "&notit;"} is {@code "¬it;"}), numeric ones with HTML5's replacements ({@code &#0;} and
 * out-of-range values give U+FFFD, 0x80-0x9f are read as windows-1252). On 40,000 random
 * strings of references and on every HTML5 name Python and jsoup agree except on two kinds of
 * numeric reference, handled here: Python deletes the control and noncharacter code points
 * ({@code &#1;}, {@code &#x7f;}, {@code &#xfdd0;}, {@code &#xfffe;}, ...) where jsoup keeps them,
 * and it gives U+FFFD for a surrogate where jsoup gives the lone surrogate.
 */
final class HtmlEntities {

    /** Python's numeric reference: decimal or hex digits, the semicolon optional. */
    private static final Pattern NUMERIC = Pattern.compile("&#(?:[0-9]+|[xX][0-9a-fA-F]+);?");

    private HtmlEntities() {}

    /** {@code html.unescape(text)} of Python 3.11. */
    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        // no reference spans an '&', so a numeric one found here is one Python finds too, and the
        // text between two of them decodes on its own
        Matcher m = NUMERIC.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        while (m.find()) {
            out.append(Parser.unescapeEntities(text.substring(last, m.start()), false));
            int cp = codePoint(m.group());
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                out.append('\ufffd');
            } else if (!deletedByPython(cp)) {
                out.append(Parser.unescapeEntities(m.group(), false));
            }
            last = m.end();
        }
        return out.append(Parser.unescapeEntities(text.substring(last), false)).toString();
    }

    /** The text of the HTML5 named reference {@code &name;} (name without the semicolon), or null. */
    static String named(String name) {
        return Entities.isNamedEntity(name) ? Entities.getByName(name) : null;
    }

    /** The code point of a numeric reference; anything above U+10FFFF is 0x110000. */
    private static int codePoint(String ref) {
        boolean hex = ref.charAt(2) == 'x' || ref.charAt(2) == 'X';
        int radix = hex ? 16 : 10;
        int cp = 0;
        for (int i = hex ? 3 : 2; i < ref.length() && ref.charAt(i) != ';'; i++) {
            cp = cp * radix + Character.digit(ref.charAt(i), radix);
            if (cp > Character.MAX_CODE_POINT) {
                return Character.MAX_CODE_POINT + 1;
            }
        }
        return cp;
    }

    /**
     * Python's {@code _invalid_codepoints} less those its windows-1252 table replaces: C0 controls
     * other than tab, line feed, form feed and carriage return, DEL, U+FDD0-U+FDEF, and the last
     * two code points of every plane.
     */
    private static boolean deletedByPython(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xb || (cp >= 0xe && cp <= 0x1f) || cp == 0x7f
                || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp <= Character.MAX_CODE_POINT && (cp & 0xfffe) == 0xfffe);
    }
}
