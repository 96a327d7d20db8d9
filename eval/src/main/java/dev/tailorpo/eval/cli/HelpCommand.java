package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.util.DidYouMean;
import org.apache.commons.cli.CommandLine;

import java.util.List;

/** {@code tailor help [command]}: the command list, or one command's usage and options. */
final class HelpCommand implements Command {

    @Override
    public String name() {
        return "help";
    }

    @Override
    public String summary() {
        return "Show the commands, or one command's usage and options";
    }

    @Override
    public String arguments() {
        return "[command]";
    }

    @Override
    public String description() {
        return "Without an argument, list the commands and the global options. With a command's name, show "
                + "that command's usage and options (the same as 'tailor <command> --help').";
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        List<String> args = line.getArgList();
        HelpText help = new HelpText(context.env());
        if (args.isEmpty()) {
            help.overview(context.out(), context.commands());
            return ExitCodes.OK;
        }
        if (args.size() > 1) {
            throw new UsageException("help takes one command name, got " + args.size() + " arguments");
        }
        String name = args.get(0);
        Command command = context.commands().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (command == null) {
            List<String> names = context.commands().stream().map(Command::name).toList();
            throw new UsageException("unknown command '" + name + "'"
                    + DidYouMean.closest(name, names).map(s -> "; did you mean '" + s + "'?").orElse("")
                    + "; commands: " + String.join(", ", names));
        }
        help.command(context.out(), command);
        return ExitCodes.OK;
    }
}
