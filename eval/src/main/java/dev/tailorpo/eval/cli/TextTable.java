package dev.tailorpo.eval.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table for the terminal: left-aligned columns two spaces apart, a header row. */
public final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public TextTable(String... header) {
        this.columns = header.length;
        rows.add(header.clone());
    }

    /** Adds a row; missing cells are empty. */
    public TextTable row(String... cells) {
        rows.add(Arrays.copyOf(cells, columns));
        return this;
    }

    public void print(PrintStream out) {
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], r[i] == null ? 0 : r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = r[i] == null ? "" : r[i];
                b.append(cell);
                if (i < columns - 1) {
                    b.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
