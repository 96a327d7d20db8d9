package dev.tailorpo.eval.util;

import dev.tailorpo.api.ConfigException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * Output folders that never hold earlier results: either a folder the user named, which must not
 * exist yet or be empty, or a fresh folder named by the current UTC time under a parent, with
 * {@code -2}, {@code -3}, ... appended when that name is taken. Creation uses
 * {@link Files#createDirectory}, which fails if the folder appeared meanwhile, so two runs started
 * in the same second still get different folders.
 */
public final class OutputFolder {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int MAX_SUFFIX = 1000;

    private OutputFolder() {}

    /**
     * {@code dir}, created if missing.
     *
     * @throws ConfigException naming the folder when it exists and holds anything, or is a file
     */
    public static Path requireEmpty(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d)) {
            if (!Files.isDirectory(d)) {
                throw new ConfigException("output " + d + " is a file, not a folder");
            }
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isPresent()) {
                    throw new ConfigException("output folder " + d + " is not empty; nothing in it is overwritten: "
                            + "choose another folder, or leave the option out for a fresh one");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + d, e);
            }
            return d;
        }
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + d, e);
        }
        return d;
    }

    /** A new folder {@code parent/<yyyyMMdd-HHmmss>[-k]} (UTC), created now. */
    public static Path fresh(Path parent, Clock clock) {
        String stamp = STAMP.format(clock.instant());
        try {
            Files.createDirectories(parent);
            for (int k = 1; k <= MAX_SUFFIX; k++) {
                Path d = parent.resolve(k == 1 ? stamp : stamp + "-" + k).toAbsolutePath().normalize();
                try {
                    return Files.createDirectory(d);
                } catch (FileAlreadyExistsException e) {
                    // taken: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder under " + parent, e);
        }
        throw new ConfigException("more than " + MAX_SUFFIX + " output folders named " + stamp + "-* under " + parent);
    }

    /** {@link #fresh(Path, Clock)} at the system time. */
    public static Path fresh(Path parent) {
        return fresh(parent, Clock.systemUTC());
    }
}
