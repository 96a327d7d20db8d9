package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.experiment.Experiment;
import dev.tailorpo.eval.experiment.ExperimentConfig;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.List;

/** {@code tailor experiment CONFIG}: a whole study, resumable, with the paper-style report. */
final class ExperimentCommand implements Command {

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public String summary() {
        return "Train, evaluate and report a study: methods x rewards x seeds";
    }

    @Override
    public String arguments() {
        return "CONFIG";
    }

    @Override
    public String description() {
        return "Train every (method, training reward, seed) of the experiment CONFIG (YAML, docs/EXPERIMENTS.md), "
                + "evaluate the base model and every run on the same noise, run the guidance check (Table 1) and the "
                + "order-consistency statistic (Fig. 2) on the base model, and write report.html (self-contained) and "
                + "report.md with Tables 2, 3 (and 4 with several training rewards), the reward curves of Fig. 4 and "
                + "image grids. Prints the tables and the report's path.\n\n"
                + "Keys: name, train (a training config file, or its keys inline), methods [{label, method, "
                + "settings}], rewards [{id, options}], seeds, evaluation {rewards, reward_options, train_prompts, "
                + "unseen_prompts, first, images_per_prompt, seed, batch, include_base, grid_prompts}, analyses "
                + "{guidance {enabled, n, steps, batch, eta, delta}, order_consistency {enabled, pairs, batch}}.\n\n"
                + "Output: runs/experiments/<name>/ (or --out): experiment.yaml, runs/<label>-<reward>-s<seed>/ (one "
                + "'tailor train' run folder each), eval/ (scores per checkpoint), analyses/, report.html, report.md.\n\n"
                + "Run the same command again to continue a killed experiment: finished runs are skipped, an "
                + "unfinished run resumes from its newest checkpoint, missing runs start, and evaluations and "
                + "analyses already on disk with the same settings are reused. A run whose saved config differs "
                + "from what the experiment now gives it is an error, not silently reused. With --report-only nothing "
                + "trains: the report covers the finished runs and names the others.\n\n"
                + "Example: tailor experiment configs/experiments/shapes-study.yaml\n\n"
                + "A first pass with one seed: tailor experiment configs/experiments/shapes-study.yaml -Dseeds='[0]' "
                + "(the full command later reuses its runs, as runs are named by method, reward and seed)";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                        .desc("the experiment folder (default: runs/experiments/<name> in the TailorPO-J folder); "
                                + "an existing one is continued").build())
                .addOption(Option.builder().longOpt("report-only")
                        .desc("train nothing: evaluate the finished runs and write the report of those alone (the "
                                + "others are named and left out), e.g. for a study cut short").build())
                .addOption(Option.builder(ConfigOptions.SET).numberOfArgs(2).valueSeparator('=').argName("key.path=value")
                        .desc("Set one key over the config, e.g. -Dtrain.engine.sample_budget=64 or "
                                + "-Dmethods[0].settings.lr=1e-4; the value is read as YAML; repeatable").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new UsageException("tailor experiment takes one CONFIG file, e.g. configs/experiments/shapes-study.yaml");
        }
        ExperimentConfig config = ExperimentConfig.load(Path.of(args.get(0)), ConfigOptions.overrides(line), CliContext.home());
        Path dir = line.hasOption("out") ? Path.of(line.getOptionValue("out"))
                : Experiment.defaultDir(config, CliContext.home());
        ExperimentRunner.run(config, dir, !line.hasOption("report-only"), context);
        return ExitCodes.OK;
    }
}
