package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.eval.gen.EvalFolder;
import dev.tailorpo.eval.gen.EvalModel;
import dev.tailorpo.eval.gen.Evaluation;
import dev.tailorpo.eval.gen.ImageKey;
import dev.tailorpo.eval.gen.ModelGrids;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.gen.ScoreRecord;
import dev.tailorpo.eval.gen.ScoreTables;
import dev.tailorpo.eval.plugins.RewardModels;
import dev.tailorpo.eval.util.OutputFolder;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code tailor eval}: checkpoints x rewards x prompt sets, on the same noise, with tables. */
final class EvalCommand implements Command {
    static final String REWARD = "reward";
    static final String REWARD_OPTION = "reward-option";
    static final String PROMPTS = "prompts";
    static final String FIRST = "first";
    static final String N = "n";
    static final String OUT = "out";
    static final int DEFAULT_N = 4;
    /** Prompts (columns) in the comparison grid of each set. */
    static final int GRID_PROMPTS = 8;
    static final List<String> DEFAULT_REWARDS = List.of("shapes-aesthetic", "shapes-alignment");
    static final List<String> DEFAULT_PROMPTS = List.of("data/prompts/shapes_train.txt", "data/prompts/shapes_unseen.txt");

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Score checkpoints with rewards on prompt sets, with tables";
    }

    @Override
    public String arguments() {
        return "[MODEL...]";
    }

    @Override
    public String description() {
        return "Generate --n images for every prompt of every prompt set with each MODEL, score every image with "
                + "every --reward, and write the scores and the tables into a new folder.\n\n"
                + "MODEL is 'base' (the model of --model without adapters), a LoRA file or a run or checkpoint "
                + "folder holding pytorch_lora_weights.safetensors (labelled by its folder name), or "
                + "LABEL=PATH[,PATH...]: one method trained with several seeds, one path per run, e.g. "
                + "tailorpo-g=runs/g-s0,runs/g-s1,runs/g-s2 (LABEL=base relabels the base model). Default: base.\n\n"
                + "Every model sees the same noise for the same (prompt, image index), exactly as 'tailor generate' "
                + "with the same --seed, --steps and --eta: differences come from the weights alone.\n\n"
                + "Output (--out, default a new folder runs/eval/<UTC time>): scores.jsonl, one line per image and "
                + "reward (model, run, checkpoint, prompt_set, prompt_index, prompt, image, seed, reward, score); "
                + "per prompt set table_<set>.md, .csv and .tex with a row per model and a column per reward, each "
                + "cell the mean ± standard error (N images), best in bold; for a model with several runs the mean "
                + "and SE are over runs (the seed as the unit), and table_<set>_per_image.* gives the same pooled "
                + "over all images; with the base model among the models, table_<set>_change.* gives each other "
                + "model's change against it, paired image by image on the same noise (pooled the same way); "
                + "grid_<set>.png shows image 0 of the set's first " + GRID_PROMPTS + " prompts, a "
                + "row per model (its first run); summary.md holds every table; eval.json the settings. The "
                + "seed-pooled and change tables are also printed.\n\n"
                + "Defaults: rewards " + String.join(", ", DEFAULT_REWARDS) + "; prompt sets "
                + String.join(" and ", DEFAULT_PROMPTS) + " (in the TailorPO-J folder); " + DEFAULT_N
                + " images per prompt; sampling as in 'tailor generate' (" + SamplingOptions.DEFAULT_STEPS
                + " DDIM steps, eta " + SamplingOptions.fmt(SamplingOptions.DEFAULT_ETA) + ", guidance "
                + SamplingOptions.fmt(SamplingOptions.DEFAULT_GUIDANCE) + ", seed " + SamplingOptions.DEFAULT_SEED
                + ").\n\n"
                + "Example: tailor eval base tailorpo=runs/t-s0,runs/t-s1 --reward shapes-aesthetic "
                + "--reward jpeg-compressibility --first 50";
    }

    @Override
    public Options options() {
        Options o = new Options()
                .addOption(Option.builder().longOpt(REWARD).hasArg().argName("ID")
                        .desc("A reward id ('tailor plugins' lists them); repeatable or comma-separated "
                                + "(default: " + String.join(",", DEFAULT_REWARDS) + ")").build())
                .addOption(Option.builder().longOpt(REWARD_OPTION).hasArg().argName("ID:KEY=VALUE")
                        .desc("An option of one reward, e.g. laion-aesthetic:clip=/models/clip-vit-large; repeatable")
                        .build())
                .addOption(Option.builder().longOpt(PROMPTS).hasArg().argName("FILE")
                        .desc("A prompt set: a file of prompts, one a line, or a JSON array; named after the file; "
                                + "repeatable (default: the shapes world's train and unseen sets)").build())
                .addOption(Option.builder().longOpt(FIRST).hasArg().argName("K")
                        .desc("Use only the first K prompts of each set (default: all)").build())
                .addOption(Option.builder().longOpt(N).hasArg().argName("N")
                        .desc("Images per prompt (default " + DEFAULT_N + ")").build())
                .addOption(Option.builder().longOpt(OUT).hasArg().argName("DIR")
                        .desc("The folder to write; must be new or empty (default: a new folder runs/eval/<UTC time> "
                                + "in the TailorPO-J folder)").build());
        return SamplingOptions.addTo(o);
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        Path cwd = Path.of("").toAbsolutePath();
        List<EvalModel> models = new ArrayList<>();
        for (String spec : line.getArgList()) {
            models.add(EvalModel.parse(spec, cwd));
        }
        if (models.isEmpty()) {
            models.add(EvalModel.base());
        }
        List<String> rewardIds = rewardIds(line);
        Map<String, Map<String, String>> rewardOptions = rewardOptions(line, rewardIds);
        List<RewardProvider> providers = new ArrayList<>();
        for (String id : rewardIds) {
            providers.add(context.plugins().get(RewardProvider.KIND, id)); // an unknown id fails now, naming the known ones
        }
        List<PromptFile> sets = promptSets(line);
        int n = OptionValues.positive(line, N, DEFAULT_N);
        SamplingSettings sampling = SamplingOptions.settings(line);
        Evaluation.Settings settings = new Evaluation.Settings(sampling, SamplingOptions.seed(line), n,
                SamplingOptions.batch(line));
        Path modelDir = SamplingOptions.model(line);
        // a named folder is checked (and made) first; a fresh one once everything has loaded
        Path given = line.hasOption(OUT) ? OutputFolder.requireEmpty(Path.of(line.getOptionValue(OUT))) : null;
        List<ScoreRecord> records;
        List<RewardInfo> infos = new ArrayList<>();
        Path out;
        try (NDManager root = NDManager.newBaseManager(context.device()); Rewards rewards = new Rewards()) {
            for (RewardProvider provider : providers) {
                String id = provider.id();
                RewardModel reward = provider.create(RewardModels.context(CliContext.home(), context.device(),
                        rewardOptions.getOrDefault(id, Map.of())));
                rewards.list.add(reward);
                infos.add(reward.info());
            }
            DiffusionModel model = DiffusionModel.load(modelDir, root);
            Evaluation evaluation = new Evaluation(model, rewards.list, settings);
            out = given != null ? given : OutputFolder.fresh(CliContext.home().resolve("runs").resolve("eval"));
            try (EvalFolder folder = new EvalFolder(out)) {
                folder.writeNew("eval.json", json(modelDir, models, rewardIds, rewardOptions, sets, settings));
                long total = evaluation.images(models, sets);
                try (Progress progress = Progress.start("eval", total, 0, context.err(), settings.batchSize())) {
                    String[] current = {""};
                    ModelGrids grids = new ModelGrids(GRID_PROMPTS);
                    records = evaluation.run(models, sets, root, folder, new Evaluation.Listener() {
                        @Override
                        public void onRun(EvalModel m, int run, Path lora) {
                            current[0] = m.label() + (m.runs() > 1 ? " run " + (run + 1) + "/" + m.runs() : "");
                            progress.note("model " + current[0] + ": "
                                    + (lora == null ? "the base model" : CliContext.display(lora)));
                        }

                        @Override
                        public void onImages(EvalModel m, int run, PromptFile set, List<ImageKey> keys, NDArray images) {
                            grids.accept(m, run, set, keys, images);
                        }

                        @Override
                        public void onBatch(long done, long all) {
                            folder.flush();
                            progress.update(done, current[0]);
                        }
                    });
                    grids.write(out);
                }
                List<ScoreTables.Entry> tables = ScoreTables.build(records, models.stream().map(EvalModel::label).toList(),
                        infos, sets.stream().map(PromptFile::name).toList());
                folder.writeTables(tables, preamble(modelDir, models, sets, settings));
                ScoreTables.print(tables, set -> set + " (" + sizeOf(sets, set) + " prompts x " + n + " images)",
                        context.out());
            }
        }
        context.out().printf(Locale.ROOT, "%d scores of %d images in %s%n", records.size(),
                records.size() / rewardIds.size(), CliContext.display(out));
        return ExitCodes.OK;
    }

    /** Closes every reward model it holds. */
    private static final class Rewards implements AutoCloseable {
        final List<RewardModel> list = new ArrayList<>();

        void add(RewardModel m) {
            list.add(m);
        }

        @Override
        public void close() {
            list.forEach(RewardModel::close);
        }
    }

    private static int sizeOf(List<PromptFile> sets, String name) {
        return sets.stream().filter(s -> s.name().equals(name)).findFirst().map(s -> s.prompts().size()).orElse(0);
    }

    private static List<String> rewardIds(CommandLine line) {
        Set<String> ids = new LinkedHashSet<>();
        if (line.hasOption(REWARD)) {
            for (String v : line.getOptionValues(REWARD)) {
                for (String id : v.split(",")) {
                    if (!id.isBlank() && !ids.add(id.strip())) {
                        throw new UsageException("--reward " + id.strip() + " is given twice");
                    }
                }
            }
            if (ids.isEmpty()) {
                throw new UsageException("--reward: no reward id given");
            }
        } else {
            ids.addAll(DEFAULT_REWARDS);
        }
        return List.copyOf(ids);
    }

    private static Map<String, Map<String, String>> rewardOptions(CommandLine line, List<String> ids) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (!line.hasOption(REWARD_OPTION)) {
            return out;
        }
        for (String v : line.getOptionValues(REWARD_OPTION)) {
            int colon = v.indexOf(':');
            int eq = v.indexOf('=', Math.max(colon, 0));
            if (colon <= 0 || eq < colon + 2) {
                throw new UsageException("--reward-option '" + v + "': expected ID:KEY=VALUE");
            }
            String id = v.substring(0, colon).strip();
            if (!ids.contains(id)) {
                throw new UsageException("--reward-option '" + v + "': reward '" + id + "' is not evaluated (--reward "
                        + String.join(",", ids) + ")");
            }
            out.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(v.substring(colon + 1, eq).strip(), v.substring(eq + 1));
        }
        return out;
    }

    private static List<PromptFile> promptSets(CommandLine line) {
        List<Path> files = new ArrayList<>();
        if (line.hasOption(PROMPTS)) {
            for (String f : line.getOptionValues(PROMPTS)) {
                files.add(Path.of(f));
            }
        } else {
            DEFAULT_PROMPTS.forEach(f -> files.add(CliContext.home().resolve(f)));
        }
        int first = OptionValues.positive(line, FIRST, Integer.MAX_VALUE);
        List<PromptFile> sets = new ArrayList<>();
        for (Path f : files) {
            PromptFile set = PromptFile.read(f).first(first);
            if (sets.stream().anyMatch(s -> s.name().equals(set.name()))) {
                throw new UsageException("two prompt sets are named '" + set.name() + "' (" + f + ")");
            }
            sets.add(set);
        }
        return sets;
    }

    private static String preamble(Path modelDir, List<EvalModel> models, List<PromptFile> sets, Evaluation.Settings s) {
        StringBuilder b = new StringBuilder("# Evaluation\n\n");
        b.append(String.format(Locale.ROOT, "Base model `%s`; %d DDIM steps, eta %s, guidance %s, noise seed %d; "
                        + "%d images per prompt, the same noise for every model.%n%n", modelDir, s.sampling().steps(),
                s.sampling().eta(), s.sampling().guidanceScale(), s.seed(), s.imagesPerPrompt()));
        b.append("Cells: mean ± standard error (N images). For a model with several training runs, mean and SE are ")
                .append("over the runs' means (\"k seeds\"); the per-image tables pool all its images. Bold: best of ")
                .append("the column.\n\nModels:\n\n");
        for (EvalModel m : models) {
            b.append("- ").append(m.label()).append(": ")
                    .append(m.isBase() ? "base model" : String.join(", ", m.loras().stream().map(Path::toString).toList()))
                    .append('\n');
        }
        b.append("\nPrompt sets:");
        for (PromptFile p : sets) {
            b.append(' ').append(p.name()).append(" (").append(p.prompts().size()).append(" prompts)");
        }
        return b.append('\n').toString();
    }

    private static String json(Path modelDir, List<EvalModel> models, List<String> rewards,
                               Map<String, Map<String, String>> rewardOptions, List<PromptFile> sets, Evaluation.Settings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelDir.toString());
        List<Map<String, Object>> ms = new ArrayList<>();
        for (EvalModel em : models) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("label", em.label());
            e.put("checkpoints", em.isBase() ? List.of(EvalModel.BASE) : em.loras().stream().map(Path::toString).toList());
            ms.add(e);
        }
        m.put("models", ms);
        m.put("rewards", rewards);
        m.put("reward_options", rewardOptions);
        Map<String, Object> ps = new LinkedHashMap<>();
        sets.forEach(p -> ps.put(p.name(), p.prompts()));
        m.put("prompt_sets", ps);
        m.put("images_per_prompt", s.imagesPerPrompt());
        m.put("seed", s.seed());
        m.put("steps", s.sampling().steps());
        m.put("eta", s.sampling().eta());
        m.put("guidance", s.sampling().guidanceScale());
        m.put("batch", s.batchSize());
        m.put("commit", BuildInfo.current().commitDescription());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
