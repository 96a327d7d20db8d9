package dev.tailorpo.eval.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * What a report writer does when its file is already there. A report is the record of a run that
 * may have taken hours, so it is never replaced silently: the default is to fail, and the caller
 * chooses a fresh name or replacement explicitly.
 */
public enum IfExists {
    /** Refuse, naming the file. */
    FAIL,
    /** Write {@code report-2.html}, {@code report-3.html}, ... the first free name. */
    NEW_NAME,
    /** Replace the file (atomically; a reader sees the old report or the new one). */
    REPLACE;

    /** Names tried by {@link #NEW_NAME} before giving up. */
    static final int MAX_SUFFIX = 1000;

    /**
     * The path to write instead of {@code target}, given which paths are {@code taken} (a writer
     * with companion files, such as a Markdown report's image folder, counts a name as taken when
     * any of its files exists).
     */
    Path resolve(Path target, Predicate<Path> taken) {
        if (this == REPLACE || !taken.test(target)) {
            return target;
        }
        if (this == FAIL) {
            throw alreadyThere(target, "; not replacing it (write to a new name or ask to replace it)");
        }
        String file = target.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        String extension = dot > 0 ? file.substring(dot) : "";
        for (int i = 2; i <= MAX_SUFFIX; i++) {
            Path candidate = target.resolveSibling(stem + "-" + i + extension);
            if (!taken.test(candidate)) {
                return candidate;
            }
        }
        throw alreadyThere(target, " and so do its numbered names up to -" + MAX_SUFFIX);
    }

    private static UncheckedIOException alreadyThere(Path target, String rest) {
        IOException cause = new FileAlreadyExistsException(target.toString());
        return new UncheckedIOException(target + " already exists" + rest, cause);
    }
}
