package dev.tailorpo.eval.cli;

import dev.tailorpo.api.TailorException;
import dev.tailorpo.eval.util.DidYouMean;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tailor}: finds the command named by the first word that is not a global option, parses
 * the rest against that command's options plus the {@link GlobalOptions}, and runs it.
 *
 * <p>Errors: a {@link UsageException} or a bad command line prints {@code error: ...} and the
 * command's usage on stderr and exits 64; a {@link TailorException} (or an I/O error) prints
 * {@code error: <message>} and exits 2, with the stack trace only under {@code --debug} or
 * {@code TAILOR_DEBUG=1}; anything else is a bug: its stack trace is printed and the exit code is 70.
 */
public final class Main {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final HelpText help;

    /** A {@code tailor} with the registered {@link Commands}. */
    public Main(PrintStream out, PrintStream err, Map<String, String> env) {
        this(out, err, env, Commands.all());
    }

    /** A {@code tailor} with the given commands (for tests). */
    public Main(PrintStream out, PrintStream err, Map<String, String> env, List<Command> commands) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.help = new HelpText(env);
        for (Command c : commands) {
            if (this.commands.put(c.name(), c) != null) {
                throw new IllegalStateException("two commands are named '" + c.name() + "'");
            }
            GlobalOptions.mergedWith(c); // fails now, not when the command is used, if an option clashes
        }
    }

    public static void main(String[] args) {
        int code = new Main(System.out, System.err, System.getenv()).run(args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs one command line and returns the exit code. */
    public int run(String... args) {
        boolean debug = envDebug() || List.of(args).contains("--" + GlobalOptions.DEBUG);
        int at = commandIndex(args);
        if (at == -2) {
            return ExitCodes.USAGE; // commandIndex printed why
        }
        if (at < 0) {
            if (args.length == 0 || List.of(args).contains("-h") || List.of(args).contains("--help")) {
                help.overview(out, List.copyOf(commands.values()));
                return ExitCodes.OK;
            }
            err.println("error: no command given");
            err.println("Run 'tailor help' for the list of commands.");
            return ExitCodes.USAGE;
        }
        Command command = commands.get(args[at]);
        if (command == null) {
            err.println("error: unknown command '" + args[at] + "'"
                    + DidYouMean.closest(args[at], commands.keySet()).map(s -> "; did you mean '" + s + "'?").orElse(""));
            err.println("Run 'tailor help' for the list of commands.");
            return ExitCodes.USAGE;
        }
        List<String> rest = new ArrayList<>(List.of(args));
        rest.remove(at);
        CliContext context = null;
        try {
            CommandLine line = DefaultParser.builder().setAllowPartialMatching(false)
                    .setStripLeadingAndTrailingQuotes(false).build()
                    .parse(GlobalOptions.mergedWith(command), rest.toArray(String[]::new));
            if (line.hasOption(GlobalOptions.HELP)) {
                help.command(out, command);
                return ExitCodes.OK;
            }
            if (command.arguments().isEmpty() && !line.getArgList().isEmpty()) {
                throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "'");
            }
            context = new CliContext(out, err, env, List.copyOf(commands.values()), debug,
                    DeviceSpec.parse(line.getOptionValue(GlobalOptions.DEVICE)),
                    line.getOptionValue(GlobalOptions.PLUGINS_DIR));
            return command.run(line, context);
        } catch (UsageException | ParseException e) {
            err.println("error: " + e.getMessage());
            help.usage(err, command);
            return ExitCodes.USAGE;
        } catch (TailorException e) {
            return failure(e.getMessage(), e, debug);
        } catch (IOException | UncheckedIOException e) {
            return failure(e.toString(), e, debug);
        } catch (Exception e) {
            err.println("error: internal error (a bug; please report it with this trace): " + e);
            e.printStackTrace(err);
            return ExitCodes.INTERNAL;
        } finally {
            if (context != null) {
                context.close();
            }
        }
    }

    private int failure(String message, Exception e, boolean debug) {
        err.println("error: " + message);
        if (debug) {
            e.printStackTrace(err);
        }
        return ExitCodes.ERROR;
    }

    private boolean envDebug() {
        String v = env.get(GlobalOptions.DEBUG_ENV);
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /**
     * The index of the command word: the first argument that is neither a global option nor its
     * value; -1 when there is none, -2 (after printing why) when an argument before it is not a
     * global option.
     */
    private int commandIndex(String[] args) {
        Options global = GlobalOptions.create();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-")) {
                return i;
            }
            String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
            boolean inlineValue = name.contains("=");
            name = inlineValue ? name.substring(0, name.indexOf('=')) : name;
            Option o = a.startsWith("--") ? (global.hasLongOption(name) ? global.getOption(name) : null)
                    : (global.hasShortOption(name) ? global.getOption(name) : null);
            if (o == null) {
                err.println("error: unknown option '" + a + "'; a command's options go after its name:"
                        + " tailor <command> [options]");
                err.println("Run 'tailor help' for the list of commands.");
                return -2;
            }
            if (o.hasArg() && !inlineValue) {
                i++;
            }
        }
        return -1;
    }
}
