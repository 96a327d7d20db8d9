package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;

import java.awt.image.BufferedImage;

/**
 * One piece of a {@link Section}: a paragraph, a table or a figure. Tables and figures carry a
 * name, which becomes their file name in a Markdown report's folder ({@code table-2.csv},
 * {@code reward-curves.png}) and their anchor in an HTML report, so it is restricted to letters,
 * digits, '-' and '_' and must be unique within a report.
 */
public sealed interface Block permits Block.Paragraph, Block.Named {

    /** Plain text; no format's markup is interpreted, each format escapes it. */
    record Paragraph(String text) implements Block {
        public Paragraph {
            if (text == null) {
                throw new InvalidInputException("a paragraph needs text");
            }
        }
    }

    /** A named block: a table or a figure. */
    sealed interface Named extends Block permits TableBlock, ChartFigure, ImageFigure {
        String name();

        String caption();
    }

    /** A table with its caption (plain text, may be empty). */
    record TableBlock(String name, String caption, Table table) implements Named {
        public TableBlock {
            checkNamed(name, caption, table);
        }
    }

    /** A chart with its caption (plain text, may be empty). */
    record ChartFigure(String name, String caption, Chart chart) implements Named {
        public ChartFigure {
            checkNamed(name, caption, chart);
        }
    }

    /** An image (e.g. an {@link ImageGrid} rendered) with its caption (plain text, may be empty). */
    record ImageFigure(String name, String caption, BufferedImage image) implements Named {
        public ImageFigure {
            checkNamed(name, caption, image);
        }
    }

    private static void checkNamed(String name, String caption, Object content) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new InvalidInputException("a table or figure name must be 1 to 64 letters, digits, '-' or '_' (it"
                    + " becomes a file name), got '" + name + "'");
        }
        if (caption == null || content == null) {
            throw new InvalidInputException("'" + name + "' needs a caption (may be empty) and content");
        }
    }
}
