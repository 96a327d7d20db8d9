package dev.tailorpo.eval.cli;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.eval.cli.InProcessTailor.Result;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tailorpo.eval.cli.InProcessTailor.tailor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@code tailor} in-process with captured output. */
class MainTest {

    /** The real commands plus one that throws what it is given. */
    private static Result tailorWithFailing(Map<String, String> env, RuntimeException failure, String... args) {
        List<Command> commands = new ArrayList<>(Commands.all());
        commands.add(new Command() {
            @Override
            public String name() {
                return "fail";
            }

            @Override
            public String summary() {
                return "Fail";
            }

            @Override
            public int run(CommandLine line, CliContext context) {
                throw failure;
            }
        });
        return tailor(env, commands, args);
    }

    @Test
    void helpListsEveryCommandWithItsSummary() {
        Result r = tailor("help");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Usage: tailor [global options] <command> [options] [arguments]\n"), r.out());
        List<String> lines = List.of(r.out().split("\n"));
        for (Command c : Commands.all()) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("  " + c.name() + " +\\Q" + c.summary() + "\\E")),
                    "one line for " + c.name() + " in\n" + r.out());
        }
        for (String option : List.of("--debug", "--device DEVICE", "-h, --help", "--plugins-dir DIR")) {
            assertTrue(r.out().contains(option), option);
        }
        assertEquals(r, tailor());
        assertEquals(r, tailor("--help"));
        assertEquals(r, tailor("-h"));
        for (String line : lines) {
            assertTrue(line.length() <= 80, "wider than 80 columns: " + line);
        }
    }

    @Test
    void helpForACommandEqualsItsHelpOption() {
        Result r = tailor("help", "plugins");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: tailor plugins\n\nList every provider"), r.out());
        assertTrue(r.out().contains("Global options:\n"), r.out());
        assertEquals(r, tailor("plugins", "--help"));
        assertEquals(r, tailor("--help", "plugins"));

        Result version = tailor("version", "-h");
        assertTrue(version.out().startsWith("Usage: tailor version [options]\n"), version.out());
        assertTrue(version.out().contains("--no-engine"), version.out());

        Result unknown = tailor("help", "plugin");
        assertEquals(64, unknown.code());
        assertTrue(unknown.err().startsWith("error: unknown command 'plugin'; did you mean 'plugins'?"), unknown.err());
    }

    @Test
    void pluginsListsTheProvidersOnTheClassPath() {
        Result r = tailor("plugins");
        assertEquals(0, r.code(), r.err());
        List<String> lines = List.of(r.out().split("\n"));
        assertTrue(lines.get(0).matches("KIND +ID +VERSION +SOURCE +DESCRIPTION"), lines.get(0));
        String testClasses = CliContext.display(Path.of(System.getProperty("user.dir"), "target", "test-classes"));
        assertTrue(lines.stream().anyMatch(l -> l.matches("reward +test-reward +dev +" + testClasses
                + " +a reward for the CLI tests")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("scheduler +test-scheduler +dev +" + testClasses
                + " +a scheduler for the CLI tests")), r.out());
        assertTrue(r.out().contains("Plugins folder: "), r.out());
    }

    @Test
    void pluginsWithAMissingPluginsFolderIsAnError(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        Result r = tailor("plugins", "--plugins-dir", missing.toString());
        assertEquals(2, r.code());
        assertEquals("error: --plugins-dir " + missing + ": no such folder\n", r.err());

        Result empty = tailor("--plugins-dir=" + dir, "plugins");
        assertEquals(0, empty.code(), empty.err());
        assertTrue(empty.out().contains("Plugins folder: " + dir + " (0 providers)"), empty.out());
    }

    @Test
    void anUnknownCommandExits64WithASuggestion() {
        Result r = tailor("plugin");
        assertEquals(64, r.code());
        assertEquals("", r.out());
        assertEquals("error: unknown command 'plugin'; did you mean 'plugins'?\n"
                + "Run 'tailor help' for the list of commands.\n", r.err());
        assertFalse(tailor("frobnicate").err().contains("did you mean"));
    }

    @Test
    void usageErrorsPrintTheCommandsUsageAndExit64() {
        Result option = tailor("plugins", "--bogus");
        assertEquals(64, option.code());
        assertEquals("error: Unrecognized option: --bogus\nUsage: tailor plugins\n\nRun 'tailor help plugins' for more.\n",
                option.err());

        Result argument = tailor("version", "extra");
        assertEquals(64, argument.code());
        assertTrue(argument.err().startsWith("error: unexpected argument 'extra'\nUsage: tailor version [options]\n\n"
                + "Options:\n      --no-engine"), argument.err());

        Result device = tailor("--device", "tpu", "version", "--no-engine");
        assertEquals(64, device.code());
        assertTrue(device.err().startsWith("error: --device: expected cpu, gpu or gpu:N, got 'tpu'\n"), device.err());

        Result before = tailor("--no-engine", "version");
        assertEquals(64, before.code());
        assertTrue(before.err().startsWith("error: unknown option '--no-engine'; a command's options go after its name"),
                before.err());

        Result none = tailor("--debug");
        assertEquals(64, none.code());
        assertTrue(none.err().startsWith("error: no command given\n"), none.err());
    }

    @Test
    void aTailorExceptionExits2WithItsMessageAndNoStackTrace() {
        ConfigException failure = new ConfigException("train.yaml: train.optimizer.lrr: unknown key");
        Result r = tailorWithFailing(Map.of(), failure, "fail");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals("error: train.yaml: train.optimizer.lrr: unknown key\n", r.err());

        Result debug = tailorWithFailing(Map.of(), failure, "fail", "--debug");
        assertEquals(2, debug.code());
        assertTrue(debug.err().startsWith("error: train.yaml: train.optimizer.lrr: unknown key\n"), debug.err());
        assertTrue(debug.err().contains("\tat dev.tailorpo"), debug.err());

        Result env = tailorWithFailing(Map.of("TAILOR_DEBUG", "1"), failure, "fail");
        assertTrue(env.err().contains("\tat dev.tailorpo"), env.err());
        Result off = tailorWithFailing(Map.of("TAILOR_DEBUG", "0"), failure, "fail");
        assertFalse(off.err().contains("\tat "), off.err());
    }

    @Test
    void anUnexpectedExceptionIsABugWithItsTraceAndExits70() {
        Result r = tailorWithFailing(Map.of(), new IllegalStateException("boom"), "fail");
        assertEquals(70, r.code());
        assertTrue(r.err().startsWith("error: internal error"), r.err());
        assertTrue(r.err().contains("java.lang.IllegalStateException: boom"), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void versionShowsTheBuild() {
        Result r = tailor("version", "--no-engine");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)TailorPO-J +\\S+\ngit commit +\\S+.*\nDJL +0\\.36\\.0\nPyTorch +2\\.7\\.1 .*"),
                r.out());
    }

    @Test
    void versionLoadsPyTorchAndPicksTheDevice() {
        Result r = tailor("version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nPyTorch     2.7.1 (native library loaded)\n"), r.out());
        // the build's libtorch is the CPU one: CUDA is reported unusable, with where to read how to get it
        assertTrue(r.out().contains("\nCUDA        no (the bundled CPU libtorch; to use a GPU see docs/GPU.md)\n")
                || System.getenv("PYTORCH_LIBRARY_PATH") != null, r.out());
        assertTrue(r.out().contains("\ndevice      cpu (default)\n") || r.out().contains("\ndevice      gpu:0 (default)\n"),
                r.out());
        Result cpu = tailor("version", "--device", "cpu");
        assertTrue(cpu.out().contains("\ndevice      cpu\n"), cpu.out());
        Result gpu = tailor("version", "--device", "gpu:999");
        assertEquals(2, gpu.code());
        assertTrue(gpu.out().contains("\ndevice      unavailable\nJava "), gpu.out());
        assertTrue(gpu.err().startsWith("error: --device gpu:999: "), gpu.err());
    }

    @Test
    void commandNamesAreUniqueAndOptionsDoNotClashWithTheGlobalOnes() {
        List<Command> twice = List.of(new HelpCommand(), new HelpCommand());
        assertThrows(IllegalStateException.class, () -> new Main(System.out, System.err, Map.of(), twice));
        new Main(System.out, System.err, Map.of()); // every registered command passes the checks
    }

    @Test
    void deviceSpecsParse() {
        assertEquals(DeviceSpec.AUTO, DeviceSpec.parse(null));
        assertFalse(DeviceSpec.parse("cpu").gpu());
        assertEquals(0, DeviceSpec.parse("gpu").index());
        assertEquals(3, DeviceSpec.parse("GPU:3").index());
        for (String bad : List.of("", "gpu:", "gpu:-1", "cuda", "cpu:0", "gpu:x")) {
            assertThrows(UsageException.class, () -> DeviceSpec.parse(bad), bad);
        }
    }
}
