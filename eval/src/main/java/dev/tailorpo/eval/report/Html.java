package dev.tailorpo.eval.report;

/** HTML text escaping shared by {@link HtmlTable} and {@link HtmlReport}. */
final class Html {
    private Html() {}

    /** {@code text} safe in element content and in double-quoted attribute values. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
