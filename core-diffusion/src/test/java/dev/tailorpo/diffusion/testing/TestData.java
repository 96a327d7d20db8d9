package dev.tailorpo.diffusion.testing;

import ai.djl.ndarray.NDArray;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the repository's test data lives, and tensor assertions. The build passes the repository
 * root as the system property {@code tailorpo.repo}; when a test runs from an IDE without it, the
 * root is found by walking up from the working directory to the folder holding {@code testdata/}.
 */
public final class TestData {
    private TestData() {}

    /** The repository root. */
    public static Path repo() {
        String prop = System.getProperty("tailorpo.repo");
        if (prop != null && Files.isDirectory(Path.of(prop, "testdata"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no testdata/ above " + Path.of("").toAbsolutePath() + ")");
    }

    /** {@code testdata/sd-tiny/<parts>}. */
    public static Path sdTiny(String... parts) {
        return resolve(repo().resolve("testdata").resolve("sd-tiny"), parts);
    }

    /** {@code testdata/<parts>}. */
    public static Path testdata(String... parts) {
        return resolve(repo().resolve("testdata"), parts);
    }

    /** {@code data/<parts>} (prompt sets, reward heads shipped with the project). */
    public static Path data(String... parts) {
        return resolve(repo().resolve("data"), parts);
    }

    private static Path resolve(Path base, String... parts) {
        Path p = base;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }

    /** Asserts equal shapes and |actual - expected| <= atol + rtol |expected| everywhere. */
    public static void assertClose(NDArray expected, NDArray actual, double atol, double rtol, String what) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < e.length; i++) {
            if (!Float.isFinite(a[i])) {
                fail(what + ": non-finite value " + a[i] + " at flat index " + i);
            }
            double excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
            if (excess > worst) {
                worst = excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0) {
            fail(what + ": at flat index " + worstAt + " expected " + e[worstAt] + " but was " + a[worstAt]
                    + " (|diff| " + Math.abs(a[worstAt] - e[worstAt]) + ", atol " + atol + ", rtol " + rtol + ")");
        }
    }

    /** The largest absolute difference between two same-shaped arrays. */
    public static double maxAbsDiff(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
