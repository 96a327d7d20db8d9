package dev.tailorpo.eval.util;

import dev.tailorpo.api.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputFolderTest {

    @Test
    void freshFoldersNeverReuseANameTakenInTheSameSecond(@TempDir Path dir) {
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T03:04:05Z"), ZoneOffset.UTC);
        Path a = OutputFolder.fresh(dir.resolve("runs/generate"), clock);
        Path b = OutputFolder.fresh(dir.resolve("runs/generate"), clock);
        assertEquals("20261126-030405", a.getFileName().toString());
        assertEquals("20261126-030405-2", b.getFileName().toString());
        assertTrue(Files.isDirectory(a) && Files.isDirectory(b));
    }

    @Test
    void aNamedFolderMustBeNewOrEmpty(@TempDir Path dir) throws Exception {
        Path d = OutputFolder.requireEmpty(dir.resolve("new/deep"));
        assertTrue(Files.isDirectory(d));
        assertEquals(d, OutputFolder.requireEmpty(d), "an empty folder is fine");
        Files.writeString(d.resolve("scores.jsonl"), "{}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OutputFolder.requireEmpty(d));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertThrows(ConfigException.class, () -> OutputFolder.requireEmpty(d.resolve("scores.jsonl")));
    }
}
