package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Estimate;
import dev.tailorpo.eval.stats.Proportion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {

    /** Two rewards, one higher- and one lower-is-better; a seed-pooled row, a single value, a text cell. */
    static Table example() {
        return Table.builder("Method", new Column("aesthetic", Better.HIGHER, 2), new Column("size_kb", Better.LOWER, 1))
                .row("Base", Cell.of(new Estimate(5.79, 0.04, 225, 1)), Cell.of(new Estimate(105.5, 1.2, 225, 1)))
                .row("TailorPO", Cell.of(new Estimate(6.66, 0.031, 675, 3)), Cell.of(new Estimate(6.7, 0.4, 675, 3)))
                .row("SPO", Cell.of(new Estimate(5.89, Double.NaN, 1, 1)), Cell.text("n/a"))
                .build();
    }

    @Test
    void markdownIsPaddedWithTheBestInBoldPerDirection() {
        String expected = """
                | Method   |                        aesthetic |                       size\\_kb |
                | :------- | -------------------------------: | -----------------------------: |
                | Base     |              5.79 ± 0.04 (N=225) |            105.5 ± 1.2 (N=225) |
                | TailorPO | **6.66 ± 0.03** (N=675, 3 seeds) | **6.7 ± 0.4** (N=675, 3 seeds) |
                | SPO      |                       5.89 (N=1) |                            n/a |
                """;
        assertEquals(expected, example().toMarkdown());
    }

    @Test
    void csvSplitsEstimatesIntoFullPrecisionColumns() {
        String expected = "Method,aesthetic,aesthetic se,aesthetic n,aesthetic seeds,size_kb,size_kb se,size_kb n,size_kb seeds\r\n"
                + "Base,5.79,0.04,225,1,105.5,1.2,225,1\r\n"
                + "TailorPO,6.66,0.031,675,3,6.7,0.4,675,3\r\n"
                + "SPO,5.89,,1,1,n/a,,,\r\n";
        assertEquals(expected, example().toCsv());
    }

    @Test
    void csvQuotesCommasAndDoublesQuotes() {
        Table t = Table.builder("prompt, as given", Column.of("note"))
                .row("a \"red\" circle", Cell.text("fine"))
                .row("plain", Cell.text("x,y"))
                .build();
        String expected = "\"prompt, as given\",note\r\n"
                + "\"a \"\"red\"\" circle\",fine\r\n"
                + "plain,\"x,y\"\r\n";
        assertEquals(expected, t.toCsv());
        assertEquals("\"a\rb\"", CsvTable.quote("a\rb"));
    }

    @Test
    void latexIsBooktabsWithMathEstimates() {
        String expected = """
                \\begin{tabular}{lrr}
                \\toprule
                Method & aesthetic & size\\_kb \\\\
                \\midrule
                Base & $5.79 \\pm 0.04$ {\\footnotesize (N=225)} & $105.5 \\pm 1.2$ {\\footnotesize (N=225)} \\\\
                TailorPO & $\\mathbf{6.66 \\pm 0.03}$ {\\footnotesize (N=675, 3 seeds)} & $\\mathbf{6.7 \\pm 0.4}$ {\\footnotesize (N=675, 3 seeds)} \\\\
                SPO & $5.89$ {\\footnotesize (N=1)} & n/a \\\\
                \\bottomrule
                \\end{tabular}
                """;
        assertEquals(expected, example().toLatex());
    }

    @Test
    void latexEscapesItsSpecialCharacters() {
        Table t = Table.builder("a_b", Column.of("50% & more"))
                .row("x", Cell.text("#1 $5 {a} ~ ^ \\"))
                .build();
        String latex = t.toLatex();
        assertTrue(latex.contains("a\\_b & 50\\% \\& more \\\\\n"), latex);
        assertTrue(latex.contains("x & \\#1 \\$5 \\{a\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\\\\n"), latex);
    }

    @Test
    void htmlEscapesAndMarksTheBest() {
        String html = Table.builder("m<1>", Column.of("r", Better.HIGHER))
                .row("a&b", Cell.of(new Estimate(1, 0.5, 4, 1)))
                .row("c", Cell.of(new Estimate(-0.001, 0.5, 4, 1)))
                .build().toHtml();
        assertEquals("""
                <table>
                <thead><tr><th>m&lt;1&gt;</th><th>r</th></tr></thead>
                <tbody>
                <tr><th scope="row">a&amp;b</th><td><strong>1.00 ± 0.50</strong> <span class="n">(N=4)</span></td></tr>
                <tr><th scope="row">c</th><td>0.00 ± 0.50 <span class="n">(N=4)</span></td></tr>
                </tbody>
                </table>
                """, html);
    }

    @Test
    void ratesPrintTheirWilsonIntervalAndCount() {
        // Table 1's shape: how often the step-wise reward rises under x+ and falls under x-
        Table t = Table.builder("guidance", Column.of("t = 20", Better.HIGHER), Column.of("t = 4"))
                .row("rises under x+", Cell.of(new Proportion(83, 100)), Cell.of(new Proportion(100, 100)))
                .row("falls under x-", Cell.of(new Proportion(87, 100)), Cell.of(new Proportion(97, 100)))
                .build();
        assertEquals("""
                | guidance       |                         t = 20 |                       t = 4 |
                | :------------- | -----------------------------: | --------------------------: |
                | rises under x+ |     0.83 [0.74, 0.89] (83/100) | 1.00 [0.96, 1.00] (100/100) |
                | falls under x- | **0.87 [0.79, 0.92]** (87/100) |  0.97 [0.92, 0.99] (97/100) |
                """, t.toMarkdown());
        assertTrue(t.toLatex().contains("falls under x- & $\\mathbf{0.87 [0.79, 0.92]}$ {\\footnotesize (87/100)} & "
                + "$0.97 [0.92, 0.99]$ {\\footnotesize (97/100)} \\\\\n"), t.toLatex());
        Proportion.Interval ci = new Proportion(83, 100).wilson95();
        assertTrue(t.toCsv().startsWith("guidance,t = 20,t = 20 low,t = 20 high,t = 20 n,t = 4,t = 4 low,t = 4 high,t = 4 n\r\n"
                + "rises under x+,0.83," + ci.low() + "," + ci.high() + ",100,1.0,"), t.toCsv());
    }

    @Test
    void csvGivesAMixedColumnEveryStatistic() {
        Table t = Table.builder("m", Column.of("c"))
                .row("mean", Cell.of(new Estimate(2.5, 0.5, 8, 2)))
                .row("rate", Cell.of(new Proportion(0, 4)))
                .row("text", Cell.text("-"))
                .build();
        Proportion.Interval ci = new Proportion(0, 4).wilson95();
        assertEquals("m,c,c se,c low,c high,c n,c seeds\r\n"
                + "mean,2.5,0.5,,,8,2\r\n"
                + "rate,0.0,," + ci.low() + "," + ci.high() + ",4,\r\n"
                + "text,-,,,,,\r\n", t.toCsv());
    }

    @Test
    void tiesAreAllBestAndUndirectedColumnsHaveNone() {
        Table t = Table.builder("m", Column.of("up", Better.HIGHER), Column.of("plain"))
                .row("a", Cell.of(new Estimate(2, 0.1, 5, 1)), Cell.of(new Estimate(9, 0.1, 5, 1)))
                .row("b", Cell.of(new Estimate(2, 0.3, 5, 1)), Cell.of(new Estimate(1, 0.1, 5, 1)))
                .row("c", Cell.of(new Estimate(1.999, 0.1, 5, 1)), Cell.text("-"))
                .build();
        assertTrue(t.isBest(0, 0));
        assertTrue(t.isBest(1, 0));
        assertFalse(t.isBest(2, 0));
        assertFalse(t.isBest(0, 1));
    }

    @Test
    void refusesRaggedRowsAndLineBreaks() {
        InvalidInputException ragged = assertThrows(InvalidInputException.class,
                () -> Table.builder("m", Column.of("a"), Column.of("b")).row("x", Cell.empty()).build());
        assertEquals("row 'x' has 1 cells for 2 columns", ragged.getMessage());
        assertThrows(InvalidInputException.class, () -> Cell.text("two\nlines"));
        assertThrows(InvalidInputException.class, () -> Table.builder("a\nb", Column.of("h")).build());
    }
}
