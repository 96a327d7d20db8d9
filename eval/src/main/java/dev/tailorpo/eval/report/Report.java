package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a report says, independent of its format: a title and sections of paragraphs, tables and
 * figures. {@link HtmlReport} and {@link MarkdownReport} write the same report, so that the
 * self-contained page and the Markdown beside the run's files never disagree.
 *
 * @param title the report's title, plain text
 * @param sections its sections in order
 */
public record Report(String title, List<Section> sections) {

    public Report {
        if (title == null || title.isBlank()) {
            throw new InvalidInputException("a report needs a title");
        }
        sections = List.copyOf(sections);
        // names become file names: two that differ only in case would overwrite each other on
        // case-insensitive file systems
        Map<String, String> seen = new HashMap<>();
        for (Section s : sections) {
            for (Block b : s.blocks()) {
                if (b instanceof Block.Named n) {
                    String earlier = seen.put(n.name().toLowerCase(Locale.ROOT), n.name());
                    if (earlier != null) {
                        throw new InvalidInputException("two tables or figures are named '" + earlier + "' and '"
                                + n.name() + "'; names must differ (ignoring case): they become file names");
                    }
                }
            }
        }
    }

    /** Starts a report titled {@code title}. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Collects sections in order. */
    public static final class Builder {
        private final String title;
        private final List<Section> sections = new ArrayList<>();

        private Builder(String title) {
            this.title = title;
        }

        public Builder section(Section section) {
            sections.add(section);
            return this;
        }

        public Report build() {
            return new Report(title, sections);
        }
    }
}
