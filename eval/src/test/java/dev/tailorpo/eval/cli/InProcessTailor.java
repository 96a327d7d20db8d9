package dev.tailorpo.eval.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs {@code tailor} in-process with captured output: the one runner of the CLI tests. */
public final class InProcessTailor {

    /** The exit code and what the run printed to stdout and stderr. */
    public record Result(int code, String out, String err) {}

    private InProcessTailor() {}

    /** {@code tailor args} with the registered commands and an empty environment. */
    public static Result tailor(String... args) {
        return tailor(Map.of(), Commands.all(), args);
    }

    /** {@code tailor args} with the given environment and commands. */
    public static Result tailor(Map<String, String> env, List<Command> commands, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = new Main(o, e, env, commands).run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
