package dev.tailorpo.eval.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build of TailorPO-J is: the project version (from the jar manifest, else from the
 * build), the git commit it was built from, and the DJL and PyTorch versions it was built against.
 * The build writes {@value #RESOURCE} (see the eval POM); a value that is not known is
 * {@code unknown}.
 *
 * @param version the project version
 * @param commit the abbreviated git commit, or {@code unknown}
 * @param dirty {@code true} when the working tree had uncommitted changes, {@code false}, or {@code unknown}
 * @param djl the DJL version built against
 * @param pytorch the libtorch version built against
 */
public record BuildInfo(String version, String commit, String dirty, String djl, String pytorch) {

    static final String RESOURCE = "/dev/tailorpo/eval/build-info.properties";

    /** Reads the build's resource and this class's jar manifest. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String manifest = BuildInfo.class.getPackage() == null ? null
                : BuildInfo.class.getPackage().getImplementationVersion();
        return new BuildInfo(manifest != null ? manifest : value(p, "version"), value(p, "git.commit"),
                value(p, "git.dirty"), value(p, "djl.version"), value(p, "pytorch.version"));
    }

    /** The commit with a note when the tree was dirty, e.g. {@code 0123abcd4567 (with uncommitted changes)}. */
    public String commitDescription() {
        return commit + ("true".equals(dirty) ? " (with uncommitted changes)" : "");
    }

    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }
}
