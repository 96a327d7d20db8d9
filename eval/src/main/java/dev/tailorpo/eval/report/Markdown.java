package dev.tailorpo.eval.report;

/** Markdown text escaping shared by {@link MarkdownTable} and {@link MarkdownReport}. */
final class Markdown {
    private Markdown() {}

    private static final String SPECIAL = "\\`*_[]<>|#~";

    /**
     * {@code text} with every character that could start Markdown formatting backslash-escaped, so
     * that a method named {@code tailor_po} or a prompt with {@code *} prints as written and a
     * {@code |} cannot split a table cell.
     */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
