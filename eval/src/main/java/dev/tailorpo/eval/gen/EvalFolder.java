package dev.tailorpo.eval.gen;

import dev.tailorpo.api.InvalidInputException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The output folder of one evaluation:
 *
 * <ul>
 *   <li>{@value #SCORES}: one {@link ScoreRecord} per line, written as each batch is scored (so an
 *       interrupted evaluation keeps what it scored);</li>
 *   <li>{@code table_<set>.md}, {@code .csv}, {@code .tex}: per prompt set, the model x reward table
 *       of mean ± SE (N), seed as the unit for multi-run models; {@code table_<set>_per_image.*} the
 *       same with all images pooled, when some model has several runs;</li>
 *   <li>{@value #SUMMARY}: every table in one Markdown page, with how it was made (and the
 *       {@code grid_<set>.png} images, when present).</li>
 * </ul>
 *
 * <p>Every file is created new: nothing that exists is ever overwritten.
 */
public final class EvalFolder implements Consumer<ScoreRecord>, AutoCloseable {
    public static final String SCORES = "scores.jsonl";
    public static final String SUMMARY = "summary.md";

    private final Path dir;
    private final BufferedWriter scores;

    /** Opens {@code dir}/{@value #SCORES} for writing; the file must not exist. */
    public EvalFolder(Path dir) {
        this.dir = dir;
        this.scores = newWriter(dir.resolve(SCORES));
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void accept(ScoreRecord record) {
        try {
            scores.write(record.toJson());
            scores.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(SCORES), e);
        }
    }

    /** Pushes the lines written so far to the file. */
    public void flush() {
        try {
            scores.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(SCORES), e);
        }
    }

    /**
     * Writes each table as Markdown, CSV and LaTeX, and {@value #SUMMARY} with {@code preamble}
     * (Markdown) followed by every table under a heading.
     *
     * @return the files written
     */
    public List<Path> writeTables(List<ScoreTables.Entry> entries, String preamble) {
        List<Path> files = new ArrayList<>();
        StringBuilder summary = new StringBuilder(preamble.strip()).append("\n");
        for (ScoreTables.Entry e : entries) {
            String base = "table_" + fileSafe(e.promptSet()) + e.pooling().fileSuffix();
            files.add(writeNew(base + ".md", e.table().toMarkdown()));
            files.add(writeNew(base + ".csv", e.table().toCsv()));
            files.add(writeNew(base + ".tex", e.table().toLatex()));
            String about = e.pooling().description();
            summary.append("\n## ").append(e.promptSet()).append(about.isEmpty() ? "" : ": " + about).append("\n\n")
                    .append(e.table().toMarkdown().strip()).append("\n");
            String grid = "grid_" + fileSafe(e.promptSet()) + ".png";
            if (e.pooling() == ScoreTables.Pooling.SEEDS && Files.isRegularFile(dir.resolve(grid))) {
                summary.append("\n![Image 0 of the first prompts of ").append(e.promptSet()).append(", a row per model](")
                        .append(grid).append(")\n");
            }
        }
        files.add(writeNew(SUMMARY, summary.toString()));
        return files;
    }

    /** Writes {@code text} to a new file {@code name} in the folder. */
    public Path writeNew(String name, String text) {
        Path file = dir.resolve(name);
        try (BufferedWriter w = newWriter(file)) {
            w.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    @Override
    public void close() {
        try {
            scores.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(SCORES), e);
        }
    }

    /** {@code name} with every character but letters, digits, '.', '_' and '-' replaced by '_'. */
    static String fileSafe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    private static BufferedWriter newWriter(Path file) {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException("refusing to overwrite " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }
}
