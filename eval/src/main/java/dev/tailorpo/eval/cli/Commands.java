package dev.tailorpo.eval.cli;

import java.util.List;

/** The one place where commands are registered, in the order {@code tailor help} lists them. */
public final class Commands {
    private Commands() {}

    /** A fresh instance of every command. */
    public static List<Command> all() {
        return List.of(
                new HelpCommand(),
                new DemoCommand(),
                new VersionCommand(),
                new PluginsCommand(),
                new PretrainCommand(),
                new TrainRewardCommand(),
                new GenerateCommand(),
                new TrainCommand(),
                new EvalCommand(),
                new AnalyzeCommand(),
                new ExperimentCommand());
    }
}
