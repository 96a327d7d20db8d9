package dev.tailorpo.eval.cli;

import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.eval.train.TrainingJob;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.run.RunDirectory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** {@code tailor train}: one preference-training run (TailorPO, TailorPO-G or a baseline). */
final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "Fine-tune LoRA adapters on a reward with a preference method";
    }

    @Override
    public String description() {
        return "Fine-tune LoRA adapters of a diffusers model with a preference method (trainer.method: tailorpo, "
                + "tailorpo-g, d3po, spo, ddpo or a plugin's) on a reward (reward.id), with the paper's defaults on the "
                + "shipped shapes model. YAML keys (TrainConfig): model, prompts, reward {id, options}, trainer {method, "
                + "settings}, sampling {steps, eta, guidance_scale}, lora {rank, alpha}, engine {prompts_per_iteration, "
                + "sample_budget, minibatch_size, updates_per_iteration, weight_decay, beta1, beta2, eps, grad_clip, checkpoint_every, "
                + "keep_checkpoints, reward_gradient_checkpointing, loss_gradient_checkpointing}, seed. The run folder gets config.yaml, provenance.json (commit, checksums of model, "
                + "prompts and reward files), metrics.jsonl (one line per iteration), checkpoints/ and, at the end, "
                + "pytorch_lora_weights.safetensors (loadable by diffusers' load_lora_weights). An interrupted run "
                + "continues with --resume NAME and gives the numbers the uninterrupted run would have.";
    }

    @Override
    public Options options() {
        Options o = ConfigOptions.addTo(new Options());
        o.addOption(Option.builder().longOpt("run").hasArg().argName("NAME")
                .desc("the run's folder name under --runs (default: METHOD-REWARD-seedN)").build());
        o.addOption(Option.builder().longOpt("runs").hasArg().argName("DIR")
                .desc("the folder of runs (default: runs/ in the TailorPO-J folder)").build());
        o.addOption(Option.builder().longOpt("resume").hasArg().argName("NAME")
                .desc("continue the run NAME from its newest checkpoint, with the config it was started with").build());
        return o;
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        Path home = CliContext.home();
        Path runs = line.hasOption("runs") ? Path.of(line.getOptionValue("runs")) : home.resolve("runs");
        if (line.hasOption("resume")) {
            if (line.hasOption(ConfigOptions.CONFIG) || !ConfigOptions.overrides(line).isEmpty() || line.hasOption("run")) {
                throw new UsageException("--resume continues a run with its saved config; drop --config, -D and --run");
            }
            RunDirectory run = RunDirectory.open(runs, line.getOptionValue("resume"));
            if (run.isDone()) {
                context.out().println("run " + run.name() + " is already finished: " + CliContext.display(run.root()));
                return ExitCodes.OK;
            }
            TrainingJob job = TrainingJob.of(run, home, context.plugins(), context.device());
            try (Progress progress = progress(context, run, job.config())) {
                job.resume(run, listener(progress));
            }
            context.out().println("finished " + CliContext.display(run.root()));
            return ExitCodes.OK;
        }
        TrainConfig config = ConfigOptions.load(TrainConfig.class, line);
        String name = line.getOptionValue("run",
                config.trainer().method() + "-" + config.reward().id() + "-seed" + config.seed());
        TrainingJob job = new TrainingJob(config, home, context.plugins(), context.device());
        RunDirectory run = RunDirectory.create(runs, name);
        context.err().println("run folder: " + CliContext.display(run.root()));
        try (Progress progress = progress(context, run, config)) {
            job.start(run, listener(progress));
        }
        context.out().println("finished " + CliContext.display(run.root()));
        return ExitCodes.OK;
    }

    /** Progress in final images generated, a log line per twentieth of the budget. */
    private static Progress progress(CliContext context, RunDirectory run, TrainConfig config) {
        long budget = config.engine().sampleBudget();
        return Progress.start("train " + run.name(), budget, 0, context.err(), Math.max(1, budget / 20));
    }

    private static PreferenceTrainer.Listener listener(Progress progress) {
        return new PreferenceTrainer.Listener() {
            @Override
            public void onIteration(Map<String, Object> m, long samples, long budget) {
                progress.update(samples, String.format(Locale.ROOT, "samples %d/%d reward %.4f loss %.4f",
                        samples, budget, (Double) m.get("reward_mean"), ((Number) m.get("loss")).doubleValue()));
            }

            @Override
            public void onCheckpoint(long iteration, Path dir) {
                progress.note("checkpoint after iteration " + iteration + ": " + CliContext.display(dir));
            }

            @Override
            public void onResume(long iteration, long samples) {
                progress.note("resuming after iteration " + iteration + " (" + samples + " samples)");
            }
        };
    }
}
