package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.experiment.Experiment;
import dev.tailorpo.eval.experiment.ExperimentConfig;
import dev.tailorpo.eval.gen.ScoreTables;

import java.nio.file.Path;

/** Runs an experiment for {@code tailor experiment} and {@code tailor demo}: progress bars, tables, paths. */
final class ExperimentRunner {
    private ExperimentRunner() {}

    /**
     * Runs the experiment ({@code train}: training what is missing) or reports its finished runs
     * alone ({@link Experiment#reportFinished}).
     */
    static Experiment.Result run(ExperimentConfig config, Path dir, boolean train, CliContext context) {
        Experiment experiment = new Experiment(config, dir, CliContext.home(), context.plugins(), context.device());
        context.err().println("experiment " + config.name() + ": " + experiment.runs().size() + " training runs in "
                + CliContext.display(dir));
        Progress[] current = {null};
        Experiment.Listener listener = new Experiment.Listener() {
            @Override
            public void onPhase(String task, long total, long done) {
                current[0] = Progress.start(task, total, done, context.err(), Math.max(1, total / 10));
            }

            @Override
            public void onProgress(long done, String status) {
                if (current[0] != null) {
                    current[0].update(done, status);
                }
            }

            @Override
            public void onPhaseEnd() {
                if (current[0] != null) {
                    current[0].close();
                    current[0] = null;
                }
            }

            @Override
            public void onNote(String message) {
                if (current[0] != null) {
                    current[0].note(message);
                } else {
                    context.err().println(message);
                }
            }
        };
        Experiment.Result result = train ? experiment.run(listener) : experiment.reportFinished(listener);
        ScoreTables.print(result.content().tables(), set -> set, context.out());
        context.out().println("report: " + CliContext.display(result.html()));
        context.out().println("        " + CliContext.display(result.markdown()));
        return result;
    }
}
