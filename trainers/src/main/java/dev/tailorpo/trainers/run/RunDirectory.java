package dev.tailorpo.trainers.run;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder of one run under a runs root: resolved config, provenance, metrics, checkpoints,
 * samples and the report. Run names are plain names (letters, digits, '.', '_', '-'), so a name can
 * never point outside the runs root; a new run refuses a folder that already holds a run, so nothing
 * a user produced is overwritten by accident.
 */
public final class RunDirectory {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /** Checks a run name; fails naming it when it could escape the runs root or is malformed. */
    public static String validateName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidInputException("bad run name '" + name + "': use 1-128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit, without '..'");
        }
        return name;
    }

    /** Creates a new run folder; fails if one with this name already holds anything. */
    public static RunDirectory create(Path runsRoot, String name) {
        Path dir = runsRoot.resolve(validateName(name));
        if (Files.exists(dir) && !isEmpty(dir)) {
            throw new ConfigException("run '" + name + "' already exists at " + dir
                    + "; resume it with --resume, or choose another --run name");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir, e);
        }
        return new RunDirectory(dir);
    }

    /** Opens an existing run folder (to resume or evaluate it). */
    public static RunDirectory open(Path runsRoot, String name) {
        Path dir = runsRoot.resolve(validateName(name));
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("no run '" + name + "' under " + runsRoot);
        }
        return new RunDirectory(dir);
    }

    /** Opens the run if it exists, else creates it. */
    public static RunDirectory openOrCreate(Path runsRoot, String name) {
        Path dir = runsRoot.resolve(validateName(name));
        return Files.isDirectory(dir) ? new RunDirectory(dir) : create(runsRoot, name);
    }

    public Path root() {
        return root;
    }

    public String name() {
        return root.getFileName().toString();
    }

    /** The resolved configuration, as YAML. */
    public Path config() {
        return root.resolve("config.yaml");
    }

    /** Seeds, commit, checksums, machine. */
    public Path provenance() {
        return root.resolve("provenance.json");
    }

    /** One JSON object per iteration. */
    public Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path samples() {
        return root.resolve("samples");
    }

    public Path report() {
        return root.resolve("report");
    }

    /** Marks the run finished (written last, atomically). */
    public Path doneMarker() {
        return root.resolve("DONE");
    }

    public boolean isDone() {
        return Files.exists(doneMarker());
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
