package dev.tailorpo.trainers.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory, native allocations included (what DJL's tensors use). */
public final class MemoryProbe {
    private MemoryProbe() {}

    /** VmRSS in MB from /proc/self/status, or -1 where there is no procfs. */
    public static double rssMegabytes() {
        return status("VmRSS");
    }

    /** The peak resident memory of the process so far (VmHWM) in MB, or -1 where there is no procfs. */
    public static double peakRssMegabytes() {
        return status("VmHWM");
    }

    private static double status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
