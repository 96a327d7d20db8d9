package dev.tailorpo.diffusion.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of numbered checkpoints ({@code step-00001000/}, ...), each written completely into a
 * hidden temporary folder and then renamed into place in one step, so that a kill at any moment
 * leaves every visible checkpoint whole. Only the newest {@code keep} are kept; a resumed run
 * starts from {@link #latest()}.
 */
public final class CheckpointStore {
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");

    private final Path dir;
    private final int keep;

    /** A complete checkpoint on disk. */
    public record Checkpoint(long step, Path dir) {}

    /** Something that writes a checkpoint's files into a folder. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path folder) throws IOException;
    }

    public CheckpointStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the checkpoint of {@code step} and prunes the oldest beyond {@code keep}. */
    public Checkpoint save(long step, Writer writer) {
        Path target = dir.resolve(String.format("step-%08d", step));
        Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(dir);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            writer.writeTo(tmp);
            if (Files.exists(target)) {
                deleteTree(target);   // a re-run of the same step after a resume: same content
            }
            AtomicFiles.moveAtomically(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // a leftover hidden temporary folder is harmless and skipped by latest()
            }
        }
        prune();
        return new Checkpoint(step, target);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Every complete checkpoint, oldest first. */
    public List<Checkpoint> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> {
                        Matcher m = NAME.matcher(p.getFileName().toString());
                        return m.matches() && Files.isDirectory(p) ? new Checkpoint(Long.parseLong(m.group(1)), p) : null;
                    })
                    .filter(c -> c != null)
                    .sorted(Comparator.comparingLong(Checkpoint::step))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    private void prune() {
        List<Checkpoint> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                deleteTree(all.get(i).dir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + all.get(i).dir(), e);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
