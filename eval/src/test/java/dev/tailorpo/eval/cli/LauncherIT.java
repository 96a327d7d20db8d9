package dev.tailorpo.eval.cli;

import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./tailor} launcher's route to another libtorch (docs/GPU.md), after {@code package}
 * built the jar it runs: {@code TAILOR_LIBTORCH} makes DJL load the libtorch of that folder, as it
 * would a CUDA build on a GPU machine. Here the only libtorch is the CPU build, which DJL extracted
 * when the tests loaded it, so the route is run with it and the flavor {@code cpu}.
 */
class LauncherIT {
    private record Run(int code, String out) {}

    private static Run tailor(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path repo = TestData.repo();
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(repo.resolve("tailor").toString()), Stream.of(args)).toList())
                .directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().remove("TAILOR_LIBTORCH");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish");
        return new Run(p.exitValue(), out);
    }

    /** The folder where DJL extracted the bundled CPU libtorch (with its JNI library) when the tests loaded it. */
    private static Path extractedCpuLibtorch() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".djl.ai", "pytorch");
        try (Stream<Path> dirs = Files.list(cache)) {
            List<Path> found = dirs.filter(d -> d.getFileName().toString().contains("cpu")
                    && Files.isRegularFile(d.resolve("libtorch.so"))).toList();
            assertTrue(!found.isEmpty(), "no extracted CPU libtorch under " + cache);
            return found.get(0);
        }
    }

    @Test
    void tailorLibtorchMakesDjlLoadThatLibtorch() throws Exception {
        Run bundled = tailor(Map.of(), "version");
        assertEquals(0, bundled.code(), bundled.out());
        assertTrue(bundled.out().contains("\nCUDA        no (the bundled CPU libtorch; to use a GPU see docs/GPU.md)\n"), bundled.out());

        Path lib = extractedCpuLibtorch();
        Run routed = tailor(Map.of("TAILOR_LIBTORCH", lib.toString(), "TAILOR_LIBTORCH_FLAVOR", "cpu"), "version");
        assertEquals(0, routed.code(), routed.out());
        assertTrue(routed.out().contains("\nPyTorch     2.7.1 (native library loaded)\n"), routed.out());
        assertTrue(routed.out().contains("\nCUDA        no (libtorch from " + lib + "; to use a GPU see docs/GPU.md)\n"), routed.out());

        Run missing = tailor(Map.of("TAILOR_LIBTORCH", lib.resolve("absent").toString()), "version");
        assertEquals(1, missing.code(), missing.out());
        assertTrue(missing.out().contains("TAILOR_LIBTORCH=" + lib.resolve("absent") + " holds no libtorch.so"), missing.out());

        Run gpu = tailor(Map.of(), "--device", "gpu", "version");
        assertEquals(2, gpu.code(), gpu.out());
        assertTrue(gpu.out().contains("error: --device gpu: this PyTorch build (2.7.1) has no CUDA support; use --device cpu"),
                gpu.out());
    }
}
