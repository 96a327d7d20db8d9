package dev.tailorpo.eval.report;

/**
 * Renders a {@link Table} as a booktabs {@code tabular} (needs the booktabs package): a number
 * in math mode, {@code $5.79 \pm 0.04$} (so a negative reward gets a real minus sign), the
 * best as {@code $\mathbf{...}$}, its N in small type after it; all text escaped. Only the tabular
 * is written, so that the paper's own table float holds the caption and label.
 */
final class LatexTable {
    private LatexTable() {}

    static String render(Table table) {
        StringBuilder out = new StringBuilder();
        out.append("\\begin{tabular}{l").append("r".repeat(table.columns().size())).append("}\n");
        out.append("\\toprule\n");
        out.append(escape(table.stub()));
        for (Column c : table.columns()) {
            out.append(" & ").append(escape(c.header()));
        }
        out.append(" \\\\\n\\midrule\n");
        for (int r = 0; r < table.rows().size(); r++) {
            out.append(escape(table.rows().get(r).header()));
            for (int c = 0; c < table.columns().size(); c++) {
                out.append(" & ").append(cell(table, r, c));
            }
            out.append(" \\\\\n");
        }
        out.append("\\bottomrule\n\\end{tabular}\n");
        return out.toString();
    }

    private static String cell(Table table, int row, int column) {
        Cell cell = table.cell(row, column);
        if (cell instanceof Cell.Text t) {
            return escape(t.text());
        }
        String math = CellText.number(cell, table.columns().get(column).digits(), " \\pm ");
        if (table.isBest(row, column)) {
            math = "\\mathbf{" + math + "}";
        }
        return "$" + math + "$ {\\footnotesize (" + CellText.count(cell) + ")}";
    }

    /**
     * {@code text} safe in LaTeX text mode: the ten special characters become their escaped or
     * named forms ({@code tailor_po} -> {@code tailor\_po}, {@code 50%} -> {@code 50\%}).
     */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\textbackslash{}");
                case '~' -> b.append("\\textasciitilde{}");
                case '^' -> b.append("\\textasciicircum{}");
                case '&', '%', '$', '#', '_', '{', '}' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
