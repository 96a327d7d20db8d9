package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.experiment.ExperimentConfig;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code tailor demo}: a small built-in experiment on the shipped shapes world. */
final class DemoCommand implements Command {
    static final String CONFIG = "configs/demo.yaml";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "Align the shapes model with TailorPO-G and D3PO in minutes";
    }

    @Override
    public String description() {
        return "A small experiment on the embedded shapes world, with nothing to download: fine-tune the shapes "
                + "model's LoRA adapters for the shapes-aesthetic reward with TailorPO-G and with D3PO (one seed, a "
                + "small budget), evaluate the base model and both on a few training and unseen prompts with the same "
                + "noise, and print the tables and the path of the report (tables, reward curves, the guidance check, "
                + "order consistency, image grids). The settings are in " + CONFIG + "; 'tailor experiment "
                + CONFIG + "' runs the same thing, and docs/EXPERIMENTS.md explains the output. Running the demo again "
                + "reuses what is finished.";
    }

    @Override
    public Options options() {
        return new Options().addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("the demo's folder (default: runs/experiments/demo in the TailorPO-J folder)").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("tailor demo takes no arguments");
        }
        Path home = CliContext.home();
        Path file = home.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("the demo's config " + file + " is missing; is this a TailorPO-J folder?");
        }
        ExperimentConfig config = ExperimentConfig.load(file, Map.of(), home);
        Path dir = line.hasOption("out") ? Path.of(line.getOptionValue("out"))
                : dev.tailorpo.eval.experiment.Experiment.defaultDir(config, home);
        ExperimentRunner.run(config, dir, true, context);
        return ExitCodes.OK;
    }
}
