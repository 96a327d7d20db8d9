package dev.tailorpo.eval.cli;

import dev.tailorpo.api.ConfigException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigOptionsTest {

    /** A config record as a command would declare it. */
    record RunConfig(String name, int steps, List<Double> betas) {
        static RunConfig defaults() {
            return new RunConfig("run", 10, List.of(0.9, 0.999));
        }
    }

    private static CommandLine parse(String... args) throws Exception {
        Options options = ConfigOptions.addTo(new Options());
        return new DefaultParser().parse(options, args);
    }

    @Test
    void overridesKeepTheirOrderAndValuesMayHoldEqualsSigns() throws Exception {
        CommandLine line = parse("-Dsteps=5", "-Dname=a=b", "-D", "betas=[1, 2]", "-Dsteps=7");
        assertEquals(List.of("name", "betas", "steps"), List.copyOf(ConfigOptions.overrides(line).keySet()));
        assertEquals(Map.of("steps", "7", "name", "a=b", "betas", "[1, 2]"), ConfigOptions.overrides(line));
    }

    @Test
    void loadsTheFileWithTheOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "name: from-file\nsteps: 3\n");
        assertEquals(new RunConfig("from-file", 4, List.of(0.9, 0.999)),
                ConfigOptions.load(RunConfig.class, parse("--config", file.toString(), "-Dsteps=4")));
        assertEquals(RunConfig.defaults(), ConfigOptions.load(RunConfig.class, parse()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigOptions.load(RunConfig.class, parse("-Dstepz=4")));
        assertEquals("-Dstepz: unknown key; known keys: name, steps, betas; did you mean 'steps'?", e.getMessage());
    }

    @Test
    void anOverrideWithoutAValueIsAUsageError() throws Exception {
        assertThrows(UsageException.class, () -> ConfigOptions.overrides(parse("-Dsteps")));
    }
}
