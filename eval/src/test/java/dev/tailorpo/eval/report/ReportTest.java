package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.stats.Estimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    static BufferedImage grid() {
        Random rnd = new Random(1);
        return ImageGrid.builder(List.of("a red circle", "a blue star"))
                .rowOfPixels("Base", List.of(ImageGridTest.randomImage(rnd, 32), ImageGridTest.randomImage(rnd, 32)))
                .build().render();
    }

    static Report example() {
        return Report.builder("Shapes world: TailorPO vs base")
                .section(Section.builder("Main results")
                        .paragraph("Mean ± SE over 3 seeds; <b>not</b> markup & *not* emphasis.")
                        .table("table-2", "Rewards of the final models", TableTest.example())
                        .build())
                .section(Section.builder("Training")
                        .chart("curves", "Reward during training", ChartTest.rewardCurves().withSize(360, 240))
                        .image("samples", "Same seeds, every method", grid())
                        .build())
                .build();
    }

    @Test
    void htmlIsSelfContainedWellFormedAndHoldsTheTables() throws Exception {
        String html = HtmlReport.render(example());
        Document doc = ChartTest.parse(html);
        // every reference is a data URI or a fragment of the page itself
        NodeList all = doc.getElementsByTagName("*");
        int dataUris = 0;
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attributes = all.item(i).getAttributes();
            for (int a = 0; a < attributes.getLength(); a++) {
                String name = attributes.item(a).getNodeName();
                String value = attributes.item(a).getNodeValue();
                if (name.equals("src") || name.equals("href") || name.endsWith(":href")) {
                    assertTrue(value.startsWith("data:") || value.startsWith("#"), name + "=" + value);
                    dataUris += value.startsWith("data:") ? 1 : 0;
                }
            }
        }
        assertEquals(1, dataUris, "the image grid");
        // a table sits in a figure that scrolls sideways (the CSS of figure.table) rather than being cut off
        NodeList tables = doc.getElementsByTagName("table");
        assertTrue(tables.getLength() > 0);
        for (int i = 0; i < tables.getLength(); i++) {
            org.w3c.dom.Node figure = tables.item(i).getParentNode();
            assertEquals("figure", figure.getNodeName());
            assertEquals("table", figure.getAttributes().getNamedItem("class").getNodeValue());
        }
        assertTrue(html.contains("figure.table { overflow-x: auto; }"));
        Matcher url = Pattern.compile("url\\(([^)]*)\\)").matcher(html);
        while (url.find()) {
            assertTrue(url.group(1).startsWith("#"), url.group());
        }
        String withoutNamespaces = html.replaceAll("xmlns(:\\w+)?=['\"][^'\"]*['\"]", "");
        assertFalse(withoutNamespaces.contains("http"), "no address other than XML namespaces");
        assertFalse(html.contains("<script"));

        assertTrue(html.contains("<p>Mean ± SE over 3 seeds; &lt;b&gt;not&lt;/b&gt; markup &amp; *not* emphasis.</p>"));
        assertTrue(html.contains(TableTest.example().toHtml()), "the table, whole");
        assertTrue(html.contains("<figcaption>Rewards of the final models</figcaption>"));
        Element svg = (Element) doc.getElementsByTagName("svg").item(0);
        assertEquals("svg-curves", svg.getAttribute("id"));
        assertEquals(1, doc.getElementsByTagName("svg").getLength());

        Element img = (Element) doc.getElementsByTagName("img").item(0);
        String base64 = img.getAttribute("src").substring("data:image/png;base64,".length());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        BufferedImage expected = grid();
        assertEquals(expected.getWidth(), decoded.getWidth());
        assertEquals(expected.getHeight(), decoded.getHeight());
        assertEquals(Integer.toString(expected.getWidth()), img.getAttribute("width"));
    }

    @Test
    void reportsAreNeverReplacedUnlessAsked(@TempDir Path dir) throws Exception {
        Report report = Report.builder("r").section(Section.builder("s").paragraph("first").build()).build();
        Path file = dir.resolve("report.html");
        assertEquals(file, HtmlReport.write(report, file, IfExists.FAIL));
        String first = Files.readString(file);

        Report other = Report.builder("r").section(Section.builder("s").paragraph("second").build()).build();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> HtmlReport.write(other, file, IfExists.FAIL));
        assertEquals(file + " already exists; not replacing it (write to a new name or ask to replace it)", e.getMessage());
        assertEquals(first, Files.readString(file));

        Path renamed = HtmlReport.write(other, file, IfExists.NEW_NAME);
        assertEquals(dir.resolve("report-2.html"), renamed);
        assertEquals(dir.resolve("report-3.html"), HtmlReport.write(other, file, IfExists.NEW_NAME));
        assertEquals(first, Files.readString(file));
        assertTrue(Files.readString(renamed).contains("<p>second</p>"));

        assertEquals(file, HtmlReport.write(other, file, IfExists.REPLACE));
        assertTrue(Files.readString(file).contains("<p>second</p>"));
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void markdownMatchesTheSameReport() {
        Table small = Table.builder("Method", Column.of("reward", Better.HIGHER))
                .row("Base", Cell.of(new Estimate(1.5, 0.25, 10, 1)))
                .row("TailorPO", Cell.of(new Estimate(2, 0.5, 30, 3)))
                .build();
        Report report = Report.builder("Run *7*")
                .section(Section.builder("Results")
                        .paragraph("Rewards of tailor_po.")
                        .table("main", "Table 2", small)
                        .chart("curves", "", ChartTest.rewardCurves())
                        .image("samples", "Grid [same seeds]", grid())
                        .build())
                .build();
        String expected = """
                # Run \\*7\\*

                ## Results

                Rewards of tailor\\_po.

                *Table 2*

                | Method   |                          reward |
                | :------- | ------------------------------: |
                | Base     |              1.50 ± 0.25 (N=10) |
                | TailorPO | **2.00 ± 0.50** (N=30, 3 seeds) |

                [CSV](my%20run-files/main.csv) · [LaTeX](my%20run-files/main.tex)

                ![curves](my%20run-files/curves.png)

                [SVG](my%20run-files/curves.svg)

                ![Grid \\[same seeds\\]](my%20run-files/samples.png)

                *Grid \\[same seeds\\]*
                """;
        assertEquals(expected, MarkdownReport.render(report, "my run-files"));
    }

    @Test
    void markdownWritesEveryLinkedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.md");
        assertEquals(file, MarkdownReport.write(example(), file, IfExists.FAIL));
        String md = Files.readString(file);
        Path files = dir.resolve("report-files");
        assertEquals(TableTest.example().toCsv(), Files.readString(files.resolve("table-2.csv")));
        assertEquals(TableTest.example().toLatex(), Files.readString(files.resolve("table-2.tex")));
        ChartTest.parse(Files.readString(files.resolve("curves.svg")));
        assertEquals(360, ImageIO.read(files.resolve("curves.png").toFile()).getWidth());
        assertEquals(grid().getWidth(), ImageIO.read(files.resolve("samples.png").toFile()).getWidth());
        List<String> links = new ArrayList<>();
        Matcher link = Pattern.compile("\\]\\(([^)]+)\\)").matcher(md);
        while (link.find()) {
            links.add(link.group(1));
            assertTrue(Files.isRegularFile(dir.resolve(link.group(1))), link.group(1));
        }
        assertEquals(5, links.size(), links.toString());

        // the folder alone makes the name taken, so a new report cannot mix its files with it
        Files.delete(file);
        assertThrows(UncheckedIOException.class, () -> MarkdownReport.write(example(), file, IfExists.FAIL));
        Path second = MarkdownReport.write(example(), file, IfExists.NEW_NAME);
        assertEquals(dir.resolve("report-2.md"), second);
        assertTrue(Files.readString(second).contains("](report-2-files/curves.png)"));
        assertTrue(Files.isRegularFile(dir.resolve("report-2-files/samples.png")));
    }

    @Test
    void namesMustBeFileNamesAndUnique() {
        assertThrows(InvalidInputException.class, () -> Section.builder("s").table("../up", "", TableTest.example()));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Report.builder("r")
                .section(Section.builder("a").table("Main", "", TableTest.example()).build())
                .section(Section.builder("b").image("main", "", grid()).build())
                .build());
        assertEquals("two tables or figures are named 'Main' and 'main'; names must differ (ignoring case): they become"
                + " file names", e.getMessage());
    }
}
