package dev.tailorpo.eval.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Table} as a GitHub-flavoured Markdown table: row labels left-aligned, numbers
 * right-aligned, an estimate as {@code 5.79 ± 0.04 (N=225)}, a rate as
 * {@code 0.97 [0.92, 0.99] (97/100)}, the best in bold, and every column padded so that the source
 * reads as a table too.
 */
final class MarkdownTable {
    private MarkdownTable() {}

    static String render(Table table) {
        List<String[]> lines = new ArrayList<>();
        String[] head = new String[table.columns().size() + 1];
        head[0] = Markdown.escape(table.stub());
        for (int c = 0; c < table.columns().size(); c++) {
            head[c + 1] = Markdown.escape(table.columns().get(c).header());
        }
        lines.add(head);
        for (int r = 0; r < table.rows().size(); r++) {
            String[] line = new String[head.length];
            line[0] = Markdown.escape(table.rows().get(r).header());
            for (int c = 0; c < table.columns().size(); c++) {
                line[c + 1] = cell(table, r, c);
            }
            lines.add(line);
        }
        int[] widths = new int[head.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                // the alignment row needs at least three dashes plus a colon
                widths[i] = Math.max(Math.max(widths[i], line[i].length()), 4);
            }
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, lines.get(0), widths);
        String[] rule = new String[head.length];
        rule[0] = ":" + "-".repeat(widths[0] - 1);
        for (int i = 1; i < rule.length; i++) {
            rule[i] = "-".repeat(widths[i] - 1) + ":";
        }
        appendLine(out, rule, widths);
        for (String[] line : lines.subList(1, lines.size())) {
            appendLine(out, line, widths);
        }
        return out.toString();
    }

    private static String cell(Table table, int row, int column) {
        Cell cell = table.cell(row, column);
        if (cell instanceof Cell.Text t) {
            return Markdown.escape(t.text());
        }
        String number = CellText.number(cell, table.columns().get(column).digits(), " ± ");
        if (table.isBest(row, column)) {
            number = "**" + number + "**";
        }
        return number + " (" + CellText.count(cell) + ")";
    }

    private static void appendLine(StringBuilder out, String[] cells, int[] widths) {
        out.append('|');
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(widths[i] - cells[i].length());
            // labels are padded on the right, numbers on the left, as the alignment row says
            out.append(' ').append(i == 0 ? cells[i] + pad : pad + cells[i]).append(" |");
        }
        out.append('\n');
    }
}
