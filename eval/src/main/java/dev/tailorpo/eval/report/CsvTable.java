package dev.tailorpo.eval.report;

import dev.tailorpo.eval.stats.Estimate;
import dev.tailorpo.eval.stats.Proportion;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Table} as RFC 4180 CSV for re-analysis (pandas, R, a spreadsheet): numbers at
 * full precision, never rounded, and never glued to their error. A column of estimates becomes
 * {@code header, header se, header n, header seeds}; a column of rates
 * {@code header, header low, header high, header n} (the Wilson 95% interval, n the trials); a
 * column holding both gets all of them. A text cell fills the first and leaves the others empty,
 * as does a missing standard error; a column of text alone stays one column. Bold has no CSV
 * form; the best cell is recomputable.
 */
final class CsvTable {
    private CsvTable() {}

    private static final String EOL = "\r\n";

    /** The statistics a column's cells need, each one CSV column after the value. */
    private record Layout(boolean estimates, boolean rates) {
        List<String> headers(String h) {
            List<String> out = new ArrayList<>(List.of(h));
            if (estimates) {
                out.add(h + " se");
            }
            if (rates) {
                out.addAll(List.of(h + " low", h + " high"));
            }
            if (estimates || rates) {
                out.add(h + " n");
            }
            if (estimates) {
                out.add(h + " seeds");
            }
            return out;
        }

        List<String> fields(Cell cell) {
            Estimate e = cell instanceof Cell.Value v ? v.estimate() : null;
            Proportion p = cell instanceof Cell.Rate r ? r.proportion() : null;
            Proportion.Interval ci = p != null ? p.wilson95() : null;
            List<String> out = new ArrayList<>();
            out.add(e != null ? Double.toString(e.mean()) : p != null ? Double.toString(p.rate()) : ((Cell.Text) cell).text());
            if (estimates) {
                out.add(e != null && CellText.hasError(e) ? Double.toString(e.se()) : "");
            }
            if (rates) {
                out.add(ci != null ? Double.toString(ci.low()) : "");
                out.add(ci != null ? Double.toString(ci.high()) : "");
            }
            if (estimates || rates) {
                out.add(e != null ? Integer.toString(e.n()) : p != null ? Integer.toString(p.trials()) : "");
            }
            if (estimates) {
                out.add(e != null ? Integer.toString(e.seeds()) : "");
            }
            return out;
        }
    }

    static String render(Table table) {
        List<Layout> layouts = new ArrayList<>();
        for (int c = 0; c < table.columns().size(); c++) {
            boolean estimates = false;
            boolean rates = false;
            for (int r = 0; r < table.rows().size(); r++) {
                estimates |= table.cell(r, c) instanceof Cell.Value;
                rates |= table.cell(r, c) instanceof Cell.Rate;
            }
            layouts.add(new Layout(estimates, rates));
        }
        StringBuilder out = new StringBuilder();
        List<String> head = new ArrayList<>(List.of(table.stub()));
        for (int c = 0; c < layouts.size(); c++) {
            head.addAll(layouts.get(c).headers(table.columns().get(c).header()));
        }
        appendRecord(out, head);
        for (int r = 0; r < table.rows().size(); r++) {
            List<String> fields = new ArrayList<>(List.of(table.rows().get(r).header()));
            for (int c = 0; c < layouts.size(); c++) {
                fields.addAll(layouts.get(c).fields(table.cell(r, c)));
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
