package dev.tailorpo.eval.report;

import dev.tailorpo.diffusion.io.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * A {@link Report} as one self-contained HTML page: charts inlined as SVG, images as PNG data
 * URIs, the style sheet in the page. It references nothing else, so it survives being mailed,
 * attached to an issue, or copied out of the run folder, and opens offline.
 *
 * <p>The markup is also well-formed XML (void elements closed, only XML's entities), which lets
 * tests and tools parse it with any XML parser.
 */
public final class HtmlReport {
    private HtmlReport() {}

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 62rem;
                   margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
            h1 { font-size: 1.8rem; margin-bottom: 0.5rem; }
            h2 { font-size: 1.35rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
            figure { margin: 1.2rem 0; }
            figure.table { overflow-x: auto; }
            figcaption { color: #555; font-size: 0.92rem; margin: 0.3rem 0; }
            table { border-collapse: collapse; border-top: 2px solid #222; border-bottom: 2px solid #222;
                    font-variant-numeric: tabular-nums; }
            thead th { border-bottom: 1px solid #222; }
            th, td { padding: 0.25rem 0.8rem; text-align: right; white-space: nowrap; }
            th:first-child { text-align: left; }
            tbody th { font-weight: normal; }
            .n { color: #777; font-size: 0.8em; }
            svg { max-width: 100%; height: auto; }
            img { max-width: 100%; height: auto; image-rendering: pixelated; }
            """;

    /** The page of {@code report}. */
    public static String render(Report report) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>").append(Html.escape(report.title())).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(Html.escape(report.title())).append("</h1>\n");
        for (Section section : report.sections()) {
            out.append("<section>\n<h2>").append(Html.escape(section.heading())).append("</h2>\n");
            for (Block block : section.blocks()) {
                appendBlock(out, block);
            }
            out.append("</section>\n");
        }
        return out.append("</body>\n</html>\n").toString();
    }

    /**
     * Writes the page to {@code file} atomically and returns where it went: {@code file} itself,
     * or the next free name with {@link IfExists#NEW_NAME}.
     */
    public static Path write(Report report, Path file, IfExists ifExists) {
        Path target = ifExists.resolve(file, Files::exists);
        AtomicFiles.writeString(target, render(report));
        return target;
    }

    private static void appendBlock(StringBuilder out, Block block) {
        if (block instanceof Block.Paragraph p) {
            out.append("<p>").append(Html.escape(p.text())).append("</p>\n");
            return;
        }
        Block.Named named = (Block.Named) block;
        // a table wider than the page scrolls inside its figure instead of being cut at the edge
        out.append("<figure id=\"").append(named.name()).append(named instanceof Block.TableBlock ? "\" class=\"table" : "")
                .append("\">\n");
        if (named instanceof Block.TableBlock t) {
            // a table's caption goes above it, as in papers; a figure's below
            out.append(caption(t.caption())).append(t.table().toHtml());
        } else if (named instanceof Block.ChartFigure c) {
            // the svg's own id, and the ids inside it, must not collide with the figure's
            out.append(c.chart().toSvg("svg-" + c.name())).append('\n').append(caption(c.caption()));
        } else {
            Block.ImageFigure i = (Block.ImageFigure) named;
            out.append("<img src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(Png.encode(i.image())))
                    .append("\" width=\"").append(i.image().getWidth())
                    .append("\" height=\"").append(i.image().getHeight())
                    .append("\" alt=\"").append(Html.escape(i.caption().isEmpty() ? i.name() : i.caption()))
                    .append("\"/>\n")
                    .append(caption(i.caption()));
        }
        out.append("</figure>\n");
    }

    private static String caption(String text) {
        return text.isEmpty() ? "" : "<figcaption>" + Html.escape(text) + "</figcaption>\n";
    }
}
