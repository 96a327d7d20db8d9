package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.io.PromptFile;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.trainers.analysis.GuidanceCheck;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code tailor analyze guidance}: the paper's Table 1 sanity check of reward guidance. */
final class AnalyzeCommand implements Command {
    private static final List<Integer> PAPER_STEPS = List.of(0, 4, 8, 12, 16);

    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "Run an analysis on a model: 'guidance' (the paper's Table 1)";
    }

    @Override
    public String description() {
        return "tailor analyze guidance: for --n noisy samples at each of --steps (step indices; 0, 4, 8, 12, 16 are the "
                + "paper's t = 20, 16, 12, 8, 4 of 20), the fraction whose step-wise reward rises under "
                + "x+ = x + 2 eta delta grad r(x) and falls under x- = x - 2 eta delta grad r(x) (paper: eta 0.2, "
                + "delta 0.5). Samples come from the model (with --lora, the fine-tuned one) on the prompts, from "
                + "noise seeded by --seed.";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("model").hasArg().argName("DIR")
                        .desc("the diffusers snapshot (default: models/shapes-base)").build())
                .addOption(Option.builder().longOpt("lora").hasArg().argName("PATH")
                        .desc("LoRA weights: a .safetensors file or a run folder holding " + PreferenceTrainer.LORA_FILE).build())
                .addOption(Option.builder().longOpt("reward").hasArg().argName("ID")
                        .desc("the differentiable reward (default: shapes-aesthetic)").build())
                .addOption(Option.builder().longOpt("prompts").hasArg().argName("FILE")
                        .desc("the prompt file (default: data/prompts/shapes_train.txt)").build())
                .addOption(Option.builder().longOpt("steps").hasArg().argName("LIST")
                        .desc("step indices to check (default: 0,4,8,12,16)").build())
                .addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("samples per step (default: 100)").build())
                .addOption(Option.builder().longOpt("batch").hasArg().argName("N").desc("samples per batch (default: 25)").build())
                .addOption(Option.builder().longOpt("eta").hasArg().argName("X").desc("guidance step size (default: 0.2)").build())
                .addOption(Option.builder().longOpt("delta").hasArg().argName("X").desc("target reward increase (default: 0.5)").build())
                .addOption(Option.builder().longOpt("eps-constant")
                        .desc("treat the noise prediction as a constant in the gradient").build())
                .addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("noise seed (default: 0)").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        List<String> args = line.getArgList();
        if (args.size() != 1 || !args.get(0).equals("guidance")) {
            throw new UsageException("tailor analyze takes one analysis: guidance");
        }
        Path home = CliContext.home();
        TrainConfig defaults = TrainConfig.defaults();
        Path model = home.resolve(line.getOptionValue("model", defaults.model()));
        List<String> prompts = PromptFile.read(home.resolve(line.getOptionValue("prompts", defaults.prompts())));
        List<Integer> steps = OptionValues.intList(line, "steps", PAPER_STEPS);
        int n = OptionValues.positive(line, "n", 100);
        int batch = OptionValues.positive(line, "batch", 25);
        GuidanceCheck check = new GuidanceCheck(OptionValues.doubleValue(line, "eta", 0.2),
                OptionValues.doubleValue(line, "delta", 0.5), line.hasOption("eps-constant"));
        long seed = OptionValues.longValue(line, "seed", 0);
        SamplingSettings sampling = defaults.sampling().toSettings();
        RewardProvider provider = context.plugins().get(RewardProvider.KIND, line.getOptionValue("reward", defaults.reward().id()));
        List<GuidanceCheck.StepResult> results;
        try (NDManager manager = NDManager.newBaseManager(context.device());
             RewardModel reward = provider.create(new RewardContext(home.resolve("models"), context.device(), Map.of()))) {
            GuidedPolicy policy = GuidedPolicy.load(model, sampling, defaults.lora().toConfig(), seed, manager);
            if (line.hasOption("lora")) {
                policy.lora().load(loraFile(Path.of(line.getOptionValue("lora"))), manager);
            }
            results = check.run(policy, new PolicyStepwiseReward(policy, reward), prompts, steps, n, batch, seed, manager);
        }
        TextTable table = new TextTable("step index", "t (of " + sampling.steps() + ")", "timestep", "n",
                "rises under x+", "falls under x-");
        for (GuidanceCheck.StepResult r : results) {
            table.row(Integer.toString(r.stepIndex()), Integer.toString(sampling.steps() - r.stepIndex()),
                    Integer.toString(r.timestep()), Integer.toString(r.samples()),
                    String.format(Locale.ROOT, "%.2f", r.riseFraction()), String.format(Locale.ROOT, "%.2f", r.fallFraction()));
        }
        table.print(context.out());
        return ExitCodes.OK;
    }

    /** A LoRA file, or the final adapters of a run folder. */
    static Path loraFile(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(PreferenceTrainer.LORA_FILE) : path;
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--lora " + path + ": no " + (Files.isDirectory(path) ? PreferenceTrainer.LORA_FILE
                    + " in that folder (is the run finished?)" : "such file"));
        }
        return file;
    }
}
