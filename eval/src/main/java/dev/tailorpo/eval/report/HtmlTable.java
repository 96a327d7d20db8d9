package dev.tailorpo.eval.report;

/**
 * Renders a {@link Table} as an HTML {@code <table>}: row labels as row headers, a number as in
 * Markdown ({@code 5.79 ± 0.04}, {@code 0.97 [0.92, 0.99]}) with its N in a {@code <span class="n">}
 * that the report's style sheet sets small and grey, the best in {@code <strong>}.
 */
final class HtmlTable {
    private HtmlTable() {}

    static String render(Table table) {
        StringBuilder out = new StringBuilder("<table>\n<thead><tr><th>").append(Html.escape(table.stub())).append("</th>");
        for (Column c : table.columns()) {
            out.append("<th>").append(Html.escape(c.header())).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < table.rows().size(); r++) {
            out.append("<tr><th scope=\"row\">").append(Html.escape(table.rows().get(r).header())).append("</th>");
            for (int c = 0; c < table.columns().size(); c++) {
                out.append("<td>").append(cell(table, r, c)).append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</tbody>\n</table>\n").toString();
    }

    private static String cell(Table table, int row, int column) {
        Cell cell = table.cell(row, column);
        if (cell instanceof Cell.Text t) {
            return Html.escape(t.text());
        }
        String number = CellText.number(cell, table.columns().get(column).digits(), " ± ");
        if (table.isBest(row, column)) {
            number = "<strong>" + number + "</strong>";
        }
        return number + " <span class=\"n\">(" + CellText.count(cell) + ")</span>";
    }
}
