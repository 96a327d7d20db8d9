package dev.tailorpo.eval.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Formats the help of {@code tailor} and of each command: usage line, text, aligned option lists. */
final class HelpText {
    private static final int MAX_LEFT = 28;

    private final int width;

    /** Wraps at the terminal's {@code COLUMNS} when it is set to something sensible, else at 80. */
    HelpText(Map<String, String> env) {
        int w = 80;
        try {
            w = Integer.parseInt(env.getOrDefault("COLUMNS", "80").trim());
        } catch (NumberFormatException ignored) {
            // keep 80
        }
        this.width = Math.max(60, Math.min(w, 120));
    }

    /** {@code tailor --help}: what the program is, its commands and global options. */
    void overview(PrintStream out, List<Command> commands) {
        out.println("Usage: tailor [global options] <command> [options] [arguments]");
        out.println();
        out.println(wrap("TailorPO-J aligns text-to-image diffusion models with human preferences: TailorPO, "
                + "TailorPO-G and the D3PO, SPO and DDPO baselines, on DJL and PyTorch.", width, 0));
        out.println();
        out.println("Commands:");
        List<String[]> rows = new ArrayList<>();
        for (Command c : commands) {
            rows.add(new String[] {"  " + c.name(), c.summary()});
        }
        table(out, rows);
        out.println();
        out.println("Global options (before or after the command):");
        options(out, GlobalOptions.create().getOptions());
        out.println();
        out.println("Run 'tailor help <command>' (or 'tailor <command> --help') for its options.");
        out.println("Exit status: 0 done, 2 error, 64 wrong command line, 70 internal error.");
    }

    /** {@code tailor help <command>}: its usage line, description and options. */
    void command(PrintStream out, Command c) {
        out.println(usageLine(c));
        out.println();
        out.println(wrap(c.description(), width, 0));
        Collection<Option> own = c.options().getOptions();
        if (!own.isEmpty()) {
            out.println();
            out.println("Options:");
            options(out, own);
        }
        out.println();
        out.println("Global options:");
        options(out, GlobalOptions.create().getOptions());
    }

    /** After a usage error: the usage line, the command's own options, and where to read more. */
    void usage(PrintStream out, Command c) {
        out.println(usageLine(c));
        Collection<Option> own = c.options().getOptions();
        if (!own.isEmpty()) {
            out.println();
            out.println("Options:");
            options(out, own);
        }
        out.println();
        out.println("Run 'tailor help " + c.name() + "' for more.");
    }

    static String usageLine(Command c) {
        return "Usage: tailor " + c.name() + (c.options().getOptions().isEmpty() ? "" : " [options]")
                + (c.arguments().isEmpty() ? "" : " " + c.arguments());
    }

    private void options(PrintStream out, Collection<Option> options) {
        List<String[]> rows = new ArrayList<>();
        for (Option o : options) {
            rows.add(new String[] {left(o), o.getDescription() == null ? "" : o.getDescription()});
        }
        table(out, rows);
    }

    private static String left(Option o) {
        StringBuilder b = new StringBuilder("  ");
        String arg = o.getArgName() == null ? "ARG" : o.getArgName();
        if (o.getValueSeparator() == '=' && o.getOpt() != null) {
            return b.append('-').append(o.getOpt()).append(arg).toString(); // -Dkey.path=value
        }
        if (o.getOpt() != null) {
            b.append('-').append(o.getOpt()).append(o.getLongOpt() != null ? ", " : "");
        } else {
            b.append("    ");
        }
        if (o.getLongOpt() != null) {
            b.append("--").append(o.getLongOpt());
        }
        if (o.hasArg()) {
            b.append(o.hasOptionalArg() ? " [" + arg + "]" : " " + arg);
        }
        return b.toString();
    }

    /** Two columns; a left cell too long for the column puts its text on the next line. */
    private void table(PrintStream out, List<String[]> rows) {
        int left = 0;
        for (String[] r : rows) {
            if (r[0].length() <= MAX_LEFT) {
                left = Math.max(left, r[0].length());
            }
        }
        int indent = left + 2;
        for (String[] r : rows) {
            String text = wrap(r[1], width, indent);
            if (r[0].length() <= left) {
                out.println(r[0] + " ".repeat(indent - r[0].length()) + text.stripLeading());
            } else {
                out.println(r[0]);
                out.println(text);
            }
        }
    }

    /** Wraps {@code text} at word boundaries so that lines indented by {@code indent} fit in {@code width}. */
    static String wrap(String text, int width, int indent) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            StringBuilder line = new StringBuilder(" ".repeat(indent));
            boolean empty = true;
            for (String word : paragraph.trim().split("\\s+")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (!empty && line.length() + 1 + word.length() > width) {
                    out.append(line).append('\n');
                    line = new StringBuilder(" ".repeat(indent));
                    empty = true;
                }
                line.append(empty ? "" : " ").append(word);
                empty = false;
            }
            out.append(empty ? line.toString().stripTrailing() : line);
        }
        return out.toString();
    }
}
