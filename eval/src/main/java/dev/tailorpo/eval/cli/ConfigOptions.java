package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.config.ConfigLoader;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --config FILE} and {@code -Dkey.path=value} for commands that read a configuration:
 * add them with {@link #addTo} and load with {@link #load}.
 */
public final class ConfigOptions {
    private ConfigOptions() {}

    public static final String CONFIG = "config";
    public static final String SET = "D";

    /** Adds {@code --config} and {@code -D} to a command's options. */
    public static Options addTo(Options options) {
        return options
                .addOption(Option.builder().longOpt(CONFIG).hasArg().argName("FILE")
                        .desc("The YAML configuration (keys in snake_case; missing keys take their defaults)").build())
                .addOption(Option.builder(SET).numberOfArgs(2).valueSeparator('=').argName("key.path=value")
                        .desc("Set one key over the configuration, e.g. -Dtrain.optimizer.lr=1e-4 or "
                                + "-Drewards[0].weight=2; the value is read as YAML; repeatable").build());
    }

    /** The {@code -D} overrides in command-line order (a later one wins over an earlier one). */
    public static Map<String, String> overrides(CommandLine line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Option o : line.getOptions()) {
            if (SET.equals(o.getOpt())) {
                String key = o.getValue(0);
                String value = o.getValuesList().size() > 1 ? o.getValue(1) : null;
                if (value == null) {
                    throw new UsageException("-D" + key + ": expected -Dkey.path=value");
                }
                out.remove(key);
                out.put(key, value);
            }
        }
        return out;
    }

    /** Loads {@code type} from {@code --config} (or its defaults alone) with the {@code -D} overrides. */
    public static <T> T load(Class<T> type, CommandLine line) {
        String file = line.getOptionValue(CONFIG);
        return ConfigLoader.load(type, file == null ? null : Path.of(file), overrides(line));
    }
}
