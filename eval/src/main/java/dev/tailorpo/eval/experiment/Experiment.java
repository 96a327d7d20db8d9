package dev.tailorpo.eval.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.eval.config.ConfigLoader;
import dev.tailorpo.eval.gen.EvalModel;
import dev.tailorpo.eval.gen.Evaluation;
import dev.tailorpo.eval.gen.ImageKey;
import dev.tailorpo.eval.gen.Images;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.gen.ScoreRecord;
import dev.tailorpo.eval.plugins.RewardModels;
import dev.tailorpo.eval.train.Provenance;
import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.eval.train.TrainingJob;
import dev.tailorpo.trainers.analysis.GuidanceCheck;
import dev.tailorpo.trainers.analysis.OrderConsistency;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import dev.tailorpo.trainers.run.RunDirectory;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a study ({@link ExperimentConfig}) in one folder, so that a killed experiment continues where
 * it stopped: every (method, training reward, seed) is a run folder trained by {@link TrainingJob}
 * (a finished run is skipped, an unfinished one resumed from its newest checkpoint, a missing one
 * started); every checkpoint's evaluation and every analysis is cached on disk with a fingerprint of
 * its settings and redone only when missing, incomplete or made with other settings; the report is
 * rebuilt from those files each time.
 *
 * <pre>
 * DIR/experiment.yaml            the resolved config
 * DIR/runs/&lt;label&gt;-&lt;reward&gt;-s&lt;seed&gt;/  one tailor-train run folder each
 * DIR/eval/&lt;base|run&gt;/          scores.jsonl, grid_&lt;set&gt;_p&lt;i&gt;.png, DONE (the fingerprint)
 * DIR/analyses/guidance.json, order-consistency.json
 * DIR/report.html, report.md, report-files/
 * </pre>
 */
public final class Experiment {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BASE_KEY = "base";

    private final ExperimentConfig config;
    private final Path dir;
    private final Path home;
    private final PluginRegistry plugins;
    private final Device device;

    /** Progress callbacks: a phase (training one run, evaluating, an analysis) with its own count. */
    public interface Listener {
        default void onPhase(String task, long total, long done) {}

        default void onProgress(long done, String status) {}

        default void onPhaseEnd() {}

        default void onNote(String message) {}
    }

    /** One training run of the study. */
    public record RunSpec(ExperimentConfig.Method method, TrainConfig.Reward reward, long seed, int seedIndex, String name) {}

    /** What a finished experiment produced. */
    public record Result(Path dir, Path html, Path markdown, ExperimentReport.Content content) {}

    public Experiment(ExperimentConfig config, Path dir, Path home, PluginRegistry plugins, Device device) {
        this.config = config;
        this.dir = dir;
        this.home = home;
        this.plugins = plugins;
        this.device = device;
    }

    /** The default folder of an experiment: {@code runs/experiments/<name>} under {@code home}. */
    public static Path defaultDir(ExperimentConfig config, Path home) {
        return home.resolve("runs").resolve("experiments").resolve(RunDirectory.validateName(config.name()));
    }

    public Path runsDir() {
        return dir.resolve("runs");
    }

    /** Every run in training order: reward, then method, then seed. */
    public List<RunSpec> runs() {
        List<RunSpec> out = new ArrayList<>();
        for (TrainConfig.Reward r : config.rewards()) {
            for (ExperimentConfig.Method m : config.methods()) {
                for (int s = 0; s < config.seeds().size(); s++) {
                    long seed = config.seeds().get(s);
                    out.add(new RunSpec(m, r, seed, s, ExperimentConfig.runName(m, r, seed)));
                }
            }
        }
        return out;
    }

    /** Trains what is missing, evaluates what is not cached, runs the analyses, writes the report. */
    public Result run(Listener listener) {
        checkProviders();
        try {
            Files.createDirectories(runsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + runsDir(), e);
        }
        ConfigLoader.write(config, dir.resolve("experiment.yaml"));
        for (RunSpec spec : runs()) {
            train(spec, listener);
        }
        return report(runs(), listener);
    }

    /**
     * Trains nothing: evaluates the finished runs, runs the analyses and writes the report of those
     * runs alone, for a study cut short or one whose remaining runs are not wanted yet. Each run left
     * out (unfinished or missing) is named to the listener and in the report's setup.
     */
    public Result reportFinished(Listener listener) {
        checkProviders();
        List<RunSpec> finished = new ArrayList<>();
        for (RunSpec spec : runs()) {
            if (checkedState(spec, config.runConfig(spec.method(), spec.reward(), spec.seed())) == RunState.DONE) {
                finished.add(spec);
            } else {
                listener.onNote("run " + spec.name() + ": not finished, left out of the report");
            }
        }
        return report(finished, listener);
    }

    private Result report(List<RunSpec> included, Listener listener) {
        Map<String, List<ScoreRecord>> scores = evaluate(included, listener);
        List<GuidanceCheck.StepResult> guidance = guidance(listener);
        List<OrderConsistency.StepResult> order = orderConsistency(listener);
        ExperimentReport.Content content = ExperimentReport.build(this, included, scores, rewardInfos(), guidance, order);
        Path html = dir.resolve("report.html");
        Path md = dir.resolve("report.md");
        ExperimentReport.write(content, html, md);
        return new Result(dir, html, md, content);
    }

    ExperimentConfig config() {
        return config;
    }

    Path dir() {
        return dir;
    }

    Path home() {
        return home;
    }

    /** Unknown method or reward ids fail before anything trains, naming the known ones. */
    private void checkProviders() {
        for (ExperimentConfig.Method m : config.methods()) {
            plugins.get(TrainerProvider.KIND, m.method());
        }
        for (TrainConfig.Reward r : config.rewards()) {
            plugins.get(RewardProvider.KIND, r.id());
        }
        for (String id : config.evaluation().rewards()) {
            plugins.get(RewardProvider.KIND, id);
        }
    }

    // ---- training -------------------------------------------------------------------------------

    /** The state of one run folder. */
    public enum RunState { DONE, UNFINISHED, MISSING }

    public RunState state(RunSpec spec) {
        Path folder = runsDir().resolve(spec.name());
        if (!Files.isDirectory(folder)) {
            return RunState.MISSING;
        }
        RunDirectory run = RunDirectory.open(runsDir(), spec.name());
        if (run.isDone()) {
            return RunState.DONE;
        }
        return Files.exists(run.config()) ? RunState.UNFINISHED : RunState.MISSING;
    }

    /**
     * The run's state, after checking that a started run was started with {@code wanted}, the config
     * the experiment gives it now (a run with other settings must not stand in for this one).
     */
    private RunState checkedState(RunSpec spec, TrainConfig wanted) {
        RunState state = state(spec);
        if (state != RunState.MISSING) {
            RunDirectory run = RunDirectory.open(runsDir(), spec.name());
            TrainConfig had = ConfigLoader.load(TrainConfig.class, run.config(), Map.of());
            if (!ConfigLoader.sameContent(had, wanted)) {
                throw new ConfigException("run " + spec.name() + " in " + runsDir() + " was started with another config "
                        + "than the experiment now gives it (compare its config.yaml); move the run folder away to "
                        + "retrain it, or restore the experiment config");
            }
        }
        return state;
    }

    private void train(RunSpec spec, Listener listener) {
        TrainConfig wanted = config.runConfig(spec.method(), spec.reward(), spec.seed());
        RunState state = checkedState(spec, wanted);
        if (state == RunState.DONE) {
            listener.onNote("run " + spec.name() + ": finished, skipped");
            return;
        }
        long budget = wanted.engine().sampleBudget();
        listener.onPhase("train " + spec.name(), budget, 0);
        try {
            PreferenceTrainer.Listener progress = new PreferenceTrainer.Listener() {
                @Override
                public void onIteration(Map<String, Object> m, long samples, long all) {
                    listener.onProgress(samples, String.format(Locale.ROOT, "reward %.4f", ((Number) m.get("reward_mean"))
                            .doubleValue()));
                }

                @Override
                public void onResume(long iteration, long samples) {
                    listener.onNote("run " + spec.name() + ": resuming after iteration " + iteration + " (" + samples
                            + " samples)");
                    listener.onProgress(samples, "resumed");
                }
            };
            if (state == RunState.UNFINISHED) {
                RunDirectory run = RunDirectory.open(runsDir(), spec.name());
                TrainingJob.of(run, home, plugins, device).resume(run, progress);
            } else {
                RunDirectory run = RunDirectory.openOrCreate(runsDir(), spec.name());
                if (!isEmpty(run.root())) {
                    throw new ConfigException("run folder " + run.root() + " holds files but no config.yaml; move it away");
                }
                new TrainingJob(wanted, home, plugins, device).start(run, progress);
            }
        } finally {
            listener.onPhaseEnd();
        }
    }

    /** The final adapters of a finished run. */
    Path lora(RunSpec spec) {
        return runsDir().resolve(spec.name()).resolve(PreferenceTrainer.LORA_FILE);
    }

    // ---- evaluation -----------------------------------------------------------------------------

    List<PromptFile> promptSets() {
        ExperimentConfig.Evaluation e = config.evaluation();
        int first = e.first() == null ? Integer.MAX_VALUE : e.first();
        List<PromptFile> sets = new ArrayList<>();
        sets.add(PromptFile.read(home.resolve(e.trainPrompts())).first(first));
        if (e.unseenPrompts() != null) {
            PromptFile unseen = PromptFile.read(home.resolve(e.unseenPrompts())).first(first);
            if (unseen.name().equals(sets.get(0).name())) {
                throw new ConfigException("evaluation: train_prompts and unseen_prompts are both named '" + unseen.name() + "'");
            }
            sets.add(unseen);
        }
        return sets;
    }

    SamplingSettings sampling() {
        return config.train().sampling().toSettings();
    }

    /** Scores per evaluated checkpoint: {@code base} and every given run, from cache or freshly made. */
    private Map<String, List<ScoreRecord>> evaluate(List<RunSpec> runs, Listener listener) {
        ExperimentConfig.Evaluation e = config.evaluation();
        List<PromptFile> sets = promptSets();
        Map<String, Path> checkpoints = new LinkedHashMap<>();
        if (e.includeBase()) {
            checkpoints.put(BASE_KEY, null);
        }
        for (RunSpec spec : runs) {
            checkpoints.put(spec.name(), lora(spec));
        }
        Map<String, List<ScoreRecord>> out = new LinkedHashMap<>();
        Map<String, String> todo = new LinkedHashMap<>();
        for (Map.Entry<String, Path> c : checkpoints.entrySet()) {
            String fingerprint = fingerprint(c.getValue(), sets);
            Path folder = dir.resolve("eval").resolve(c.getKey());
            Path done = folder.resolve("DONE");
            if (Files.exists(done) && readString(done).equals(fingerprint)) {
                out.put(c.getKey(), ScoreRecord.read(folder.resolve("scores.jsonl")));
                listener.onNote("evaluation of " + c.getKey() + ": cached");
            } else {
                todo.put(c.getKey(), fingerprint);
            }
        }
        if (todo.isEmpty()) {
            return out;
        }
        Evaluation.Settings settings = new Evaluation.Settings(sampling(), e.seed(), e.imagesPerPrompt(), e.batch());
        long perCheckpoint = 0;
        for (PromptFile s : sets) {
            perCheckpoint += (long) s.prompts().size() * e.imagesPerPrompt();
        }
        long total = perCheckpoint * todo.size();
        List<RewardModel> rewards = new ArrayList<>();
        listener.onPhase("eval", total, 0);
        try (NDManager root = NDManager.newBaseManager(device)) {
            for (String id : e.rewards()) {
                rewards.add(RewardModels.open(plugins, id, e.rewardOptions().getOrDefault(id, Map.of()), home, device));
            }
            DiffusionModel model = DiffusionModel.load(home.resolve(config.train().model()).normalize(), root);
            Evaluation evaluation = new Evaluation(model, rewards, settings);
            long before = 0;
            for (Map.Entry<String, String> c : todo.entrySet()) {
                String key = c.getKey();
                Path folder = dir.resolve("eval").resolve(key);
                clear(folder);
                Path lora = checkpoints.get(key);
                EvalModel m = lora == null ? EvalModel.base() : new EvalModel(key, List.of(lora));
                long offset = before;
                List<ScoreRecord> records = evaluation.run(List.of(m), sets, root, r -> {}, new Evaluation.Listener() {
                    @Override
                    public void onImages(EvalModel model, int run, PromptFile set, List<ImageKey> keys, NDArray images) {
                        keepGridImages(folder, set, keys, images);
                    }

                    @Override
                    public void onBatch(long imagesDone, long imagesTotal) {
                        listener.onProgress(offset + imagesDone, key);
                    }
                });
                StringBuilder lines = new StringBuilder();
                records.forEach(r -> lines.append(r.toJson()).append('\n'));
                AtomicFiles.writeString(folder.resolve("scores.jsonl"), lines.toString());
                AtomicFiles.writeString(folder.resolve("DONE"), c.getValue());
                out.put(key, records);
                before += perCheckpoint;
            }
        } finally {
            rewards.forEach(RewardModel::close);
            listener.onPhaseEnd();
        }
        return out;
    }

    private void keepGridImages(Path folder, PromptFile set, List<ImageKey> keys, NDArray images) {
        List<BufferedImage> pictures = null;
        for (int r = 0; r < keys.size(); r++) {
            ImageKey k = keys.get(r);
            if (k.imageIndex() == 0 && k.promptIndex() < config.evaluation().gridPrompts()) {
                if (pictures == null) {
                    pictures = Images.toPictures(images);
                }
                Images.writeNewPng(pictures.get(r), gridImage(folder, set.name(), k.promptIndex()));
            }
        }
    }

    static Path gridImage(Path evalFolder, String set, int prompt) {
        return evalFolder.resolve(String.format(Locale.ROOT, "grid_%s_p%03d.png", set.replaceAll("[^A-Za-z0-9._-]", "_"),
                prompt));
    }

    /** Everything the scores of one checkpoint depend on. */
    private String fingerprint(Path lora, List<PromptFile> sets) {
        ExperimentConfig.Evaluation e = config.evaluation();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("checkpoint", lora == null ? BASE_KEY : lora.getFileName().toString());
        f.put("checkpoint_sha256", lora == null ? "" : Files.exists(lora) ? Provenance.sha256(lora) : "missing");
        f.put("model", config.train().model());
        f.put("rewards", e.rewards());
        f.put("reward_options", e.rewardOptions());
        Map<String, Object> ps = new LinkedHashMap<>();
        sets.forEach(s -> ps.put(s.name(), s.prompts()));
        f.put("prompt_sets", ps);
        f.put("images_per_prompt", e.imagesPerPrompt());
        f.put("seed", e.seed());
        f.put("sampling", config.train().sampling());
        f.put("grid_prompts", e.gridPrompts());
        try {
            return JSON.writeValueAsString(f) + "\n";
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private List<RewardInfo> rewardInfos() {
        List<RewardInfo> infos = new ArrayList<>();
        for (String id : config.evaluation().rewards()) {
            try (RewardModel m = RewardModels.open(plugins, id, config.evaluation().rewardOptions().getOrDefault(id, Map.of()),
                    home, device)) {
                infos.add(m.info());
            }
        }
        return infos;
    }

    // ---- analyses -------------------------------------------------------------------------------

    /** Table 1's counts; empty when disabled, null when the reward is not differentiable. */
    private List<GuidanceCheck.StepResult> guidance(Listener listener) {
        ExperimentConfig.Guidance g = config.analyses().guidance();
        if (!g.enabled()) {
            return List.of();
        }
        Path file = dir.resolve("analyses").resolve("guidance.json");
        String key = analysisKey(g);
        Cached<GuidanceCheck.StepResult> cached = readCached(file, key, new TypeReference<>() {});
        if (cached != null) {
            listener.onNote("guidance check: cached");
            return cached.results();
        }
        listener.onPhase("analysis: guidance check", 1, 0);
        List<GuidanceCheck.StepResult> results;
        try (NDManager manager = NDManager.newBaseManager(device);
             RewardModel reward = primaryReward()) {
            GuidedPolicy policy = basePolicy(manager);
            PolicyStepwiseReward stepwise = new PolicyStepwiseReward(policy, reward);
            if (!stepwise.differentiable()) {
                listener.onNote("guidance check skipped: reward " + config.primaryReward().id() + " is not differentiable");
                return null;
            }
            results = new GuidanceCheck(g.eta(), g.delta(), false).run(policy, stepwise, trainingPrompts(), g.steps(),
                    g.n(), g.batch(), config.evaluation().seed(), manager);
            listener.onProgress(1, "done");
        } finally {
            listener.onPhaseEnd();
        }
        writeCached(file, key, results);
        return results;
    }

    private List<OrderConsistency.StepResult> orderConsistency(Listener listener) {
        ExperimentConfig.OrderConsistency o = config.analyses().orderConsistency();
        if (!o.enabled()) {
            return List.of();
        }
        Path file = dir.resolve("analyses").resolve("order-consistency.json");
        String key = analysisKey(o);
        Cached<OrderConsistency.StepResult> cached = readCached(file, key, new TypeReference<>() {});
        if (cached != null) {
            listener.onNote("order consistency: cached");
            return cached.results();
        }
        listener.onPhase("analysis: order consistency", 1, 0);
        List<OrderConsistency.StepResult> results;
        try (NDManager manager = NDManager.newBaseManager(device);
             RewardModel reward = primaryReward()) {
            GuidedPolicy policy = basePolicy(manager);
            results = OrderConsistency.run(policy, new PolicyStepwiseReward(policy, reward), trainingPrompts(), o.pairs(),
                    o.batch(), config.evaluation().seed(), manager);
            listener.onProgress(1, "done");
        } finally {
            listener.onPhaseEnd();
        }
        writeCached(file, key, results);
        return results;
    }

    private RewardModel primaryReward() {
        TrainConfig.Reward r = config.primaryReward();
        return RewardModels.open(plugins, r.id(), r.options(), home, device);
    }

    private GuidedPolicy basePolicy(NDManager manager) {
        TrainConfig t = config.train();
        return GuidedPolicy.load(home.resolve(t.model()).normalize(), t.sampling().toSettings(), t.lora().toConfig(),
                config.evaluation().seed(), manager);
    }

    private List<String> trainingPrompts() {
        return PromptFile.read(home.resolve(config.train().prompts()).normalize()).prompts();
    }

    /** The analysis settings plus what they run on. */
    private String analysisKey(Object settings) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("settings", settings);
        k.put("model", config.train().model());
        k.put("prompts", config.train().prompts());
        k.put("reward", config.primaryReward());
        k.put("sampling", config.train().sampling());
        k.put("seed", config.evaluation().seed());
        try {
            return JSON.writeValueAsString(k);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An analysis' results with the key of the settings they were made with. */
    public record Cached<T>(String key, List<T> results) {}

    private static <T> Cached<T> readCached(Path file, String key, TypeReference<Cached<T>> type) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            Cached<T> c = JSON.readValue(file.toFile(), type);
            return key.equals(c.key()) ? c : null;
        } catch (IOException e) {
            return null; // unreadable: redo it
        }
    }

    private static void writeCached(Path file, String key, List<?> results) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    new Cached<>(key, results)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- files ----------------------------------------------------------------------------------

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static boolean isEmpty(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /** Empties (or makes) an evaluation cache folder: a partial evaluation is redone from scratch. */
    private static void clear(Path folder) {
        try {
            if (Files.exists(folder)) {
                try (Stream<Path> s = Files.walk(folder)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + folder, e);
        }
    }
}
