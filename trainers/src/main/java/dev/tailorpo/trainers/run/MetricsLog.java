package dev.tailorpo.trainers.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailorpo.diffusion.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON lines, one object per iteration with an {@code iteration} field, appended and
 * flushed as they come. A resumed run first drops the lines of iterations it will redo, so the file
 * never holds an iteration twice.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends one record and flushes it to disk. */
    public void append(Map<String, ?> record) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(record));
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** Every record in the file, in order. */
    public List<Map<String, Object>> read() {
        return read(file);
    }

    /** Every record of a metrics file, in order (an absent file has none). */
    public static List<Map<String, Object>> read(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metrics " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readValue(lines.get(i), new TypeReference<Map<String, Object>>() {}));
            } catch (IOException e) {
                // a torn last line (the process was killed mid-write) is expected damage; others are not
                if (i < lines.size() - 1) {
                    throw new UncheckedIOException("corrupt metrics line " + (i + 1) + " in " + file, e);
                }
            }
        }
        return out;
    }

    /** Keeps only the records of iterations before {@code iteration} (atomic rewrite). */
    public void truncateFrom(int iteration) {
        List<Map<String, Object>> keep = read().stream()
                .filter(r -> r.get("iteration") instanceof Number n && n.intValue() < iteration)
                .toList();
        AtomicFiles.write(file, out -> {
            for (Map<String, Object> r : keep) {
                out.write(JSON.writeValueAsBytes(r));
                out.write('\n');
            }
        });
    }
}
