package dev.tailorpo.eval.train;

import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Content checksums for a run's provenance: SHA-256 of every file of a model snapshot, a reward's
 * weights or a prompt file, keyed by path relative to what was named. Hidden entries (names
 * starting with '.', such as a pretraining checkpoint folder) are not part of a snapshot and are
 * skipped.
 */
public final class Provenance {
    private Provenance() {}

    /** SHA-256 (hex) of each regular file under {@code path} (or of {@code path} itself), sorted by relative path. */
    public static Map<String, String> checksums(Path path) {
        if (!Files.exists(path)) {
            throw new InvalidInputException("cannot checksum " + path + ": no such file or folder");
        }
        Map<String, String> out = new TreeMap<>();
        if (Files.isRegularFile(path)) {
            out.put(path.getFileName().toString(), sha256(path));
            return out;
        }
        try (Stream<Path> files = Files.walk(path)) {
            List<Path> list = files.filter(Files::isRegularFile).filter(p -> !hidden(path.relativize(p))).toList();
            for (Path f : list) {
                out.put(path.relativize(f).toString().replace('\\', '/'), sha256(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path, e);
        }
        return out;
    }

    /** SHA-256 of one file, streamed. */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // the digest stream hashes what passes through
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
