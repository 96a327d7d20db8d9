package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A headed part of a {@link Report} ("Main results", "Reward curves", "Samples"): its blocks in
 * reading order.
 *
 * @param heading the section's heading, plain text
 * @param blocks paragraphs, tables and figures
 */
public record Section(String heading, List<Block> blocks) {

    public Section {
        if (heading == null || heading.isBlank()) {
            throw new InvalidInputException("a report section needs a heading");
        }
        blocks = List.copyOf(blocks);
    }

    /** Starts a section headed {@code heading}. */
    public static Builder builder(String heading) {
        return new Builder(heading);
    }

    /** Collects a section's blocks in order. */
    public static final class Builder {
        private final String heading;
        private final List<Block> blocks = new ArrayList<>();

        private Builder(String heading) {
            this.heading = heading;
        }

        public Builder paragraph(String text) {
            blocks.add(new Block.Paragraph(text));
            return this;
        }

        public Builder table(String name, String caption, Table table) {
            blocks.add(new Block.TableBlock(name, caption, table));
            return this;
        }

        public Builder chart(String name, String caption, Chart chart) {
            blocks.add(new Block.ChartFigure(name, caption, chart));
            return this;
        }

        public Builder image(String name, String caption, BufferedImage image) {
            blocks.add(new Block.ImageFigure(name, caption, image));
            return this;
        }

        public Section build() {
            return new Section(heading, blocks);
        }
    }
}
