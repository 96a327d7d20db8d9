package dev.tailorpo.eval.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The options every command accepts, before or after its name. A command must not declare an
 * option of the same name ({@link #mergedWith} refuses it).
 */
public final class GlobalOptions {
    private GlobalOptions() {}

    public static final String DEBUG = "debug";
    public static final String DEVICE = "device";
    public static final String PLUGINS_DIR = "plugins-dir";
    public static final String HELP = "help";

    /** The environment variable that turns on {@code --debug}. */
    public static final String DEBUG_ENV = "TAILOR_DEBUG";

    /** A new set of the global options (commons-cli options are mutable, so never shared). */
    public static Options create() {
        return new Options()
                .addOption(Option.builder().longOpt(DEBUG)
                        .desc("Print the stack trace of an error (also " + DEBUG_ENV + "=1)").build())
                .addOption(Option.builder().longOpt(DEVICE).hasArg().argName("DEVICE")
                        .desc("Where tensors live: cpu, gpu or gpu:N (default: gpu:0 when PyTorch can use a GPU,"
                                + " else cpu)").build())
                .addOption(Option.builder("h").longOpt(HELP).desc("Show help, for a command after its name").build())
                .addOption(Option.builder().longOpt(PLUGINS_DIR).hasArg().argName("DIR")
                        .desc("The folder of plugin jars, one jar or sub-folder of jars per plugin (default: "
                                + CliContext.DEFAULT_PLUGINS_DIR + "/ in the TailorPO-J folder)").build());
    }

    /** The command's options plus the global ones. */
    public static Options mergedWith(Command command) {
        Options merged = new Options();
        Options global = create();
        for (Option o : command.options().getOptions()) {
            if (global.hasOption(o.getKey()) || (o.getLongOpt() != null && global.hasLongOption(o.getLongOpt()))) {
                throw new IllegalStateException("command '" + command.name() + "' declares the global option "
                        + o.getKey());
            }
            merged.addOption(o);
        }
        global.getOptions().forEach(merged::addOption);
        return merged;
    }
}
