package dev.tailorpo.eval.report;

import dev.tailorpo.eval.stats.Estimate;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Table} as RFC 4180 CSV for re-analysis (pandas, R, a spreadsheet): numbers at
 * full precision, never rounded, and never glued to their error. A column holding any estimate
 * becomes four: {@code header}, {@code header se}, {@code header n}, {@code header seeds}; a text
 * cell there fills the first and leaves the others empty, as does a missing standard error. A
 * column of text alone stays one column. Bold has no CSV form; the best cell is recomputable.
 */
final class CsvTable {
    private CsvTable() {}

    private static final String EOL = "\r\n";

    static String render(Table table) {
        int columns = table.columns().size();
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            for (int r = 0; r < table.rows().size(); r++) {
                numeric[c] |= table.cell(r, c) instanceof Cell.Value;
            }
        }
        StringBuilder out = new StringBuilder();
        List<String> head = new ArrayList<>();
        head.add(table.stub());
        for (int c = 0; c < columns; c++) {
            String h = table.columns().get(c).header();
            head.add(h);
            if (numeric[c]) {
                head.addAll(List.of(h + " se", h + " n", h + " seeds"));
            }
        }
        appendRecord(out, head);
        for (int r = 0; r < table.rows().size(); r++) {
            List<String> fields = new ArrayList<>();
            fields.add(table.rows().get(r).header());
            for (int c = 0; c < columns; c++) {
                Cell cell = table.cell(r, c);
                if (cell instanceof Cell.Value v) {
                    Estimate e = v.estimate();
                    fields.add(Double.toString(e.mean()));
                    fields.add(EstimateText.hasError(e) ? Double.toString(e.se()) : "");
                    fields.add(Integer.toString(e.n()));
                    fields.add(Integer.toString(e.seeds()));
                } else {
                    fields.add(((Cell.Text) cell).text());
                    if (numeric[c]) {
                        fields.addAll(List.of("", "", ""));
                    }
                }
            }
            appendRecord(out, fields);
        }
        return out.toString();
    }

    private static void appendRecord(StringBuilder out, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(fields.get(i)));
        }
        out.append(EOL);
    }

    /** A field quoted when it holds a comma, a quote or a line break, its quotes doubled (RFC 4180, 2.6-2.7). */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
