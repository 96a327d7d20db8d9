package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Estimate;
import dev.tailorpo.eval.stats.Proportion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartTest {

    static Chart rewardCurves() {
        double[] samples = {0, 1000, 2000, 3000};
        Curve tailor = Curve.overRuns("TailorPO", samples, List.of(
                new double[] {5.8, 6.1, 6.4, 6.6}, new double[] {5.8, 6.0, 6.3, 6.7}, new double[] {5.8, 6.2, 6.5, 6.7}),
                Spread.MIN_MAX);
        Curve d3po = Curve.overRuns("D3PO & co", samples, List.of(
                new double[] {5.8, 5.9, 6.1, 6.3}, new double[] {5.8, 6.0, 6.2, 6.5}), Spread.STANDARD_ERROR);
        return LineChart.of("Aesthetic reward", "training samples", "reward", List.of(tailor, d3po));
    }

    @Test
    void runsPoolIntoMeanAndBand() {
        Curve c = Curve.overRuns("m", new double[] {1, 2}, List.of(new double[] {1, 4}, new double[] {3, 8}), Spread.MIN_MAX);
        assertArrayEquals(new double[] {2, 6}, c.mean(), 0);
        assertArrayEquals(new double[] {1, 4}, c.low(), 0);
        assertArrayEquals(new double[] {3, 8}, c.high(), 0);
        // the SE of two values a, b is |a - b| / 2
        Curve se = Curve.overRuns("m", new double[] {1, 2}, List.of(new double[] {1, 4}, new double[] {3, 8}),
                Spread.STANDARD_ERROR);
        assertArrayEquals(new double[] {1, 4}, se.low(), 1e-15);
        assertArrayEquals(new double[] {3, 8}, se.high(), 1e-15);
        Curve one = Curve.overRuns("m", new double[] {1}, List.of(new double[] {5}), Spread.STANDARD_ERROR);
        assertArrayEquals(new double[] {5}, one.low(), 0);
        assertArrayEquals(new double[] {5}, one.high(), 0);
    }

    @Test
    void proportionsBecomeRatesWithWilsonBands() {
        Curve c = Curve.ofProportions("agreement", new double[] {20, 16},
                List.of(new Proportion(8, 10), new Proportion(10, 10)));
        assertArrayEquals(new double[] {0.8, 1.0}, c.mean(), 0);
        assertEquals(new Proportion(8, 10).wilson95().low(), c.low()[0], 0);
        assertEquals(1.0, c.high()[1], 0);
    }

    @Test
    void curvesRefuseMisalignedRuns() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Curve.overRuns("m",
                new double[] {1, 2}, List.of(new double[] {1, 2}, new double[] {1}), Spread.MIN_MAX));
        assertEquals("curve 'm': run 1 has 1 values for 2 x positions", e.getMessage());
        assertThrows(InvalidInputException.class, () -> Curve.overRuns("m", new double[] {1},
                List.of(new double[] {Double.NaN}), Spread.MIN_MAX));
    }

    @Test
    void lineChartSvgIsWellFormedNamesItsSeriesAndIsDeterministic() throws Exception {
        Chart chart = rewardCurves();
        String svg = chart.toSvg("fig4");
        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals("fig4", doc.getDocumentElement().getAttribute("id"));
        assertTrue(svg.contains(">TailorPO<"), "legend names TailorPO");
        assertTrue(svg.contains(">D3PO &amp; co<"), "legend names D3PO, escaped");
        assertTrue(svg.contains(">Aesthetic reward<"), "title");
        assertEquals(svg, chart.toSvg("fig4"), "same chart, same SVG");
        assertFalse(chart.toSvg("other").contains("fig4"), "ids follow the given prefix");
    }

    @Test
    void pngHasTheChartsSize(@TempDir Path dir) throws Exception {
        Chart chart = rewardCurves().withSize(400, 300);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(chart.toPng()));
        assertEquals(400, png.getWidth());
        assertEquals(300, png.getHeight());
        Path file = dir.resolve("curves.png");
        chart.writePng(file);
        assertArrayEquals(chart.toPng(), Files.readAllBytes(file));
        chart.writeSvg(dir.resolve("curves.svg"));
        parse(Files.readString(dir.resolve("curves.svg")));
    }

    @Test
    void barChartWithErrorBars() throws Exception {
        Chart chart = BarChart.builder("Table 2", "reward", "mean ± SE")
                .bar("Base", "aesthetic", new Estimate(5.79, 0.04, 225, 1))
                .bar("TailorPO", "aesthetic", new Estimate(6.66, 0.03, 675, 3))
                .bar("Base", "alignment", new Estimate(0.65, Double.NaN, 1, 1))
                .bar("TailorPO", "alignment", new Estimate(1.20, 0.05, 675, 3))
                .build();
        String svg = chart.toSvg("bars");
        parse(svg);
        for (String label : List.of(">Base<", ">TailorPO<", ">aesthetic<", ">alignment<")) {
            assertTrue(svg.contains(label), label);
        }
        assertEquals(Chart.DEFAULT_WIDTH, chart.toImage().getWidth());
        assertThrows(InvalidInputException.class, () -> BarChart.builder("t", "c", "v")
                .bar("a", "x", new Estimate(1, 0.1, 2, 1)).bar("a", "x", new Estimate(2, 0.1, 2, 1)));
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }
}
