package dev.tailorpo.trainers.run;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {

    @Test
    void namesCannotEscapeTheRunsRoot(@TempDir Path root) {
        for (String bad : List.of("../x", "a/b", "..", "", ".hidden", "a..b", "x".repeat(129), "/abs")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunDirectory.create(root, bad));
            assertTrue(e.getMessage().contains("bad run name"), e.getMessage());
        }
        assertEquals(root.resolve("tailorpo-g_seed1.v2"), RunDirectory.create(root, "tailorpo-g_seed1.v2").root());
    }

    @Test
    void anExistingRunIsNeverReusedByCreate(@TempDir Path root) throws Exception {
        RunDirectory run = RunDirectory.create(root, "r1");
        Files.writeString(run.metrics(), "{}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RunDirectory.create(root, "r1"));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("{}\n", Files.readString(run.metrics()));
        assertEquals(run.root(), RunDirectory.openOrCreate(root, "r1").root());
    }

    @Test
    void metricsSurviveATornLastLineAndTruncateForResume(@TempDir Path root) throws Exception {
        MetricsLog log = new MetricsLog(root.resolve("metrics.jsonl"));
        for (int i = 0; i < 5; i++) {
            log.append(Map.of("iteration", i, "loss", 0.5 + i));
        }
        Files.writeString(log.file(), "{\"iteration\": 5, \"lo", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(5, log.read().size());
        log.truncateFrom(3);
        List<Map<String, Object>> kept = log.read();
        assertEquals(3, kept.size());
        assertEquals(2, ((Number) kept.get(2).get("iteration")).intValue());
        assertEquals(2.5, ((Number) kept.get(2).get("loss")).doubleValue());
    }
}
