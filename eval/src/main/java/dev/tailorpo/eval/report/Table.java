package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable results table like the paper's: one row per method (or per training reward), one
 * {@link Column} per evaluation reward, each {@link Cell} an estimate (mean ± SE with N), a rate
 * (with its Wilson interval) or text. It renders itself as Markdown (for reading), CSV (for
 * re-analysis), LaTeX (for papers) and HTML (for {@link HtmlReport}); every format marks the same
 * best cells.
 *
 * @param stub the heading of the row-label column, e.g. "Method"
 * @param columns the data columns
 * @param rows the rows, each with one cell per column
 */
public record Table(String stub, List<Column> columns, List<Row> rows) {

    public Table {
        requireLabel(stub, "the row-label heading");
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        if (columns.isEmpty()) {
            throw new InvalidInputException("a table needs at least one column");
        }
        for (Column c : columns) {
            requireLabel(c.header(), "a column header");
        }
        for (Row r : rows) {
            if (r.cells().size() != columns.size()) {
                throw new InvalidInputException("row '" + r.header() + "' has " + r.cells().size() + " cells for "
                        + columns.size() + " columns");
            }
        }
    }

    /** A labelled row. */
    public record Row(String header, List<Cell> cells) {
        public Row {
            requireLabel(header, "a row header");
            cells = List.copyOf(cells);
        }
    }

    /** Starts a table whose row-label column is headed {@code stub}, with the given data columns. */
    public static Builder builder(String stub, Column... columns) {
        return new Builder(stub, Arrays.asList(columns));
    }

    /** Collects rows in order. */
    public static final class Builder {
        private final String stub;
        private final List<Column> columns;
        private final List<Row> rows = new ArrayList<>();

        private Builder(String stub, List<Column> columns) {
            this.stub = stub;
            this.columns = List.copyOf(columns);
        }

        public Builder row(String header, Cell... cells) {
            rows.add(new Row(header, Arrays.asList(cells)));
            return this;
        }

        public Table build() {
            return new Table(stub, columns, rows);
        }
    }

    /** The cell at ({@code row}, {@code column}), both counted from 0 over the data cells. */
    public Cell cell(int row, int column) {
        return rows.get(row).cells().get(column);
    }

    /**
     * Whether the cell is the best of its column: a mean or rate that is the highest (or lowest, as
     * the column says) of the column's finite values; text is never best. Ties are all best. Values
     * are compared unrounded, so of 6.461 and 6.458, both printed 6.46, only the first is bold.
     */
    public boolean isBest(int row, int column) {
        Better better = columns.get(column).better();
        double own = CellText.rankValue(cell(row, column));
        if (better == Better.NONE || !Double.isFinite(own)) {
            return false;
        }
        for (int r = 0; r < rows.size(); r++) {
            double other = CellText.rankValue(cell(r, column));
            if (better == Better.HIGHER ? other > own : other < own) {
                return false;
            }
        }
        return true;
    }

    /** A GitHub-flavoured Markdown table, columns padded to line up in plain text. */
    public String toMarkdown() {
        return MarkdownTable.render(this);
    }

    /** RFC 4180 CSV (CRLF line ends); numbers at full precision, a column's statistics in columns of their own. */
    public String toCsv() {
        return CsvTable.render(this);
    }

    /** A booktabs {@code tabular}, to {@code \input} into a table float that holds the caption. */
    public String toLatex() {
        return LatexTable.render(this);
    }

    /** An HTML {@code <table>} element. */
    public String toHtml() {
        return HtmlTable.render(this);
    }

    private static void requireLabel(String label, String what) {
        if (label == null) {
            throw new InvalidInputException(what + " is missing");
        }
        if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
            throw new InvalidInputException(what + " cannot hold a line break: '" + label + "'");
        }
    }
}
