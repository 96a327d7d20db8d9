package dev.tailorpo.eval.report;

import dev.tailorpo.diffusion.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A {@link Report} as Markdown with its files in a folder beside it: {@code report.md} and
 * {@code report-files/}, which holds each chart as PNG (shown) and SVG (linked, for papers), each
 * image as PNG, and each table as CSV and LaTeX (linked under the table, which is also inline).
 * Links are relative, so the pair can be moved together; use {@link HtmlReport} for one file.
 *
 * <p>The folder's files are written first and the Markdown last, each atomically, so a report
 * that exists has all its files. With {@link IfExists#REPLACE}, files of the same names are
 * replaced and any others already in the folder are left alone.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** The Markdown of {@code report}, linking its files under the folder {@code filesDir} (relative). */
    public static String render(Report report, String filesDir) {
        String dir = urlPath(filesDir) + "/";
        StringBuilder out = new StringBuilder("# ").append(Markdown.escape(report.title())).append('\n');
        for (Section section : report.sections()) {
            out.append("\n## ").append(Markdown.escape(section.heading())).append('\n');
            for (Block block : section.blocks()) {
                out.append('\n');
                if (block instanceof Block.Paragraph p) {
                    out.append(Markdown.escape(p.text())).append('\n');
                } else if (block instanceof Block.TableBlock t) {
                    if (!t.caption().isEmpty()) {
                        out.append('*').append(Markdown.escape(t.caption())).append("*\n\n");
                    }
                    out.append(t.table().toMarkdown()).append('\n')
                            .append("[CSV](").append(dir).append(t.name()).append(".csv) · [LaTeX](")
                            .append(dir).append(t.name()).append(".tex)\n");
                } else if (block instanceof Block.ChartFigure c) {
                    appendImage(out, dir, c.name(), c.caption());
                    out.append(c.caption().isEmpty() ? "" : "*" + Markdown.escape(c.caption()) + "* · ")
                            .append("[SVG](").append(dir).append(c.name()).append(".svg)\n");
                } else {
                    Block.ImageFigure i = (Block.ImageFigure) block;
                    appendImage(out, dir, i.name(), i.caption());
                    if (!i.caption().isEmpty()) {
                        out.append('*').append(Markdown.escape(i.caption())).append("*\n");
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * Writes the report to {@code file} (e.g. {@code runs/x/report.md}) and its files to the folder
     * beside it named after it ({@code report-files/}); returns the Markdown file written, which is
     * {@code file} or, with {@link IfExists#NEW_NAME}, the next name free for both.
     */
    public static Path write(Report report, Path file, IfExists ifExists) {
        Path target = ifExists.resolve(file, p -> Files.exists(p) || Files.exists(filesDir(p)));
        Path dir = filesDir(target);
        for (Section section : report.sections()) {
            for (Block block : section.blocks()) {
                writeFiles(block, dir);
            }
        }
        AtomicFiles.writeString(target, render(report, dir.getFileName().toString()));
        return target;
    }

    /** The folder of a report's files: {@code report.md} -> {@code report-files}. */
    static Path filesDir(Path markdown) {
        String name = markdown.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return markdown.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-files");
    }

    private static void writeFiles(Block block, Path dir) {
        if (block instanceof Block.TableBlock t) {
            AtomicFiles.writeString(dir.resolve(t.name() + ".csv"), t.table().toCsv());
            AtomicFiles.writeString(dir.resolve(t.name() + ".tex"), t.table().toLatex());
        } else if (block instanceof Block.ChartFigure c) {
            c.chart().writePng(dir.resolve(c.name() + ".png"));
            c.chart().writeSvg(dir.resolve(c.name() + ".svg"));
        } else if (block instanceof Block.ImageFigure i) {
            Png.write(i.image(), dir.resolve(i.name() + ".png"));
        }
    }

    private static void appendImage(StringBuilder out, String dir, String name, String caption) {
        // the alt text is inside [...], where only brackets and backslashes need escaping
        String alt = (caption.isEmpty() ? name : caption).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
        out.append("![").append(alt).append("](").append(dir).append(name).append(".png)\n\n");
    }

    /** {@code name} as a relative URL path: bytes outside the unreserved set percent-encoded (spaces, parentheses). */
    private static String urlPath(String name) {
        StringBuilder b = new StringBuilder();
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append(c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits(x));
            }
        }
        return b.toString();
    }
}
