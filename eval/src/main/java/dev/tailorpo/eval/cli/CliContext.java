package dev.tailorpo.eval.cli;

import ai.djl.Device;
import dev.tailorpo.api.PluginException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.eval.plugins.ProviderKinds;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a command gets besides its options: the output streams, the environment, the global
 * settings, and the services built from them on first use (the plugin registry, the device).
 */
public final class CliContext implements AutoCloseable {

    /** The plugins folder, under {@link #home()}, when {@code --plugins-dir} is not given. */
    public static final String DEFAULT_PLUGINS_DIR = "plugins-dist";

    /** The system property naming the TailorPO-J folder; the launcher sets it. */
    public static final String HOME_PROPERTY = "tailor.home";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final List<Command> commands;
    private final boolean debug;
    private final DeviceSpec deviceSpec;
    private final Path pluginsDir;
    private final boolean pluginsDirGiven;
    private PluginRegistry plugins;
    private Device device;

    CliContext(PrintStream out, PrintStream err, Map<String, String> env, List<Command> commands, boolean debug,
               DeviceSpec deviceSpec, String pluginsDir) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.commands = List.copyOf(commands);
        this.debug = debug;
        this.deviceSpec = deviceSpec;
        this.pluginsDirGiven = pluginsDir != null;
        this.pluginsDir = pluginsDir != null ? Path.of(pluginsDir).toAbsolutePath().normalize()
                : home().resolve(DEFAULT_PLUGINS_DIR);
    }

    /** Standard output: what the command produces. */
    public PrintStream out() {
        return out;
    }

    /** Standard error: progress, warnings, errors. */
    public PrintStream err() {
        return err;
    }

    /** The process environment (a fixed map in tests). */
    public Map<String, String> env() {
        return env;
    }

    /** Every registered command, in listing order. */
    public List<Command> commands() {
        return commands;
    }

    /** Whether {@code --debug} or {@code TAILOR_DEBUG} is on. */
    public boolean debug() {
        return debug;
    }

    /** The {@code --device} as given (not yet checked against the hardware). */
    public DeviceSpec deviceSpec() {
        return deviceSpec;
    }

    /** The device to compute on; the first call loads PyTorch. */
    public Device device() {
        if (device == null) {
            device = deviceSpec.resolve();
        }
        return device;
    }

    /** The plugins folder: {@code --plugins-dir}, else {@value #DEFAULT_PLUGINS_DIR} under {@link #home()}. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /**
     * The providers on the class path and in the plugins folder, discovered on first use. A
     * {@code --plugins-dir} that does not exist is an error; the default folder may be absent.
     */
    public PluginRegistry plugins() {
        if (plugins == null) {
            if (pluginsDirGiven && !Files.isDirectory(pluginsDir)) {
                throw new PluginException("--plugins-dir " + pluginsDir + ": "
                        + (Files.exists(pluginsDir) ? "not a folder" : "no such folder"));
            }
            plugins = ProviderKinds.discover(pluginsDir);
        }
        return plugins;
    }

    /**
     * The TailorPO-J folder (the repository root): the {@value #HOME_PROPERTY} system property the
     * launcher sets, else the working directory.
     */
    public static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
    }

    /** {@code path} relative to the working directory when it lies under it, for shorter listings. */
    public static String display(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(cwd) && !p.equals(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    @Override
    public void close() {
        if (plugins != null) {
            plugins.close();
        }
    }
}
