package dev.tailorpo.eval.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One {@code tailor <name>} command. To add one, implement this interface and list an instance in
 * {@link Commands#all()}; {@link Main} parses the command line (the command's options plus the
 * global ones), prints its help, and turns exceptions into messages and exit codes.
 */
public interface Command {

    /** The word after {@code tailor}, e.g. {@code plugins}. */
    String name();

    /** One line for the command list, starting with a verb: {@code List the providers found}. */
    String summary();

    /** The command's own options; {@link GlobalOptions} are added to them. */
    default Options options() {
        return new Options();
    }

    /**
     * The positional arguments as shown in the usage line, e.g. {@code [command]} or
     * {@code <run-dir>...}; empty (the default) when the command takes none, in which case
     * {@link Main} rejects any.
     */
    default String arguments() {
        return "";
    }

    /** What {@code tailor help <name>} shows under the usage line; the summary unless overridden. */
    default String description() {
        return summary() + ".";
    }

    /**
     * Runs the command.
     *
     * @return the exit code, normally {@link ExitCodes#OK}
     * @throws UsageException when the arguments are wrong (exit 64, with the usage)
     * @throws dev.tailorpo.api.TailorException when the work fails (exit 2, with the message)
     */
    int run(CommandLine line, CliContext context) throws Exception;
}
