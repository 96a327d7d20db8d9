package dev.tailorpo.eval.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.eval.config.ConfigLoader;
import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.trainers.run.RunDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A study, as YAML ({@code tailor experiment CONFIG}): a base training config crossed with methods,
 * training rewards and seeds, then an evaluation and the paper's analyses. See docs/EXPERIMENTS.md.
 *
 * <pre>
 * name: shapes-study
 * train: configs/shapes-train.yaml         # or the TrainConfig keys inline: {model: ..., engine: {...}}
 * methods:
 *   - {label: TailorPO-G, method: tailorpo-g, settings: {lr: 1.0e-4}}
 *   - {label: D3PO, method: d3po}
 * rewards: [{id: shapes-aesthetic}]         # training rewards
 * seeds: [0, 1, 2]
 * evaluation: {rewards: [shapes-aesthetic, colorfulness], train_prompts: ..., unseen_prompts: ..., images_per_prompt: 4, first: 32}
 * analyses: {guidance: {n: 100, steps: [0, 4, 8, 12, 16]}, order_consistency: {pairs: 64}}
 * </pre>
 *
 * @param name the experiment's folder name under runs/experiments (default: the config file's name)
 * @param train the base training config; each run replaces its trainer, reward and seed
 * @param methods the methods compared, each with a label (the tables' row) and its settings
 * @param rewards the training rewards (several give Table 4)
 * @param seeds the training seeds of every (method, reward)
 * @param evaluation how the trained models and the base model are scored
 * @param analyses the paper's analyses on the base model
 */
public record ExperimentConfig(String name, TrainConfig train, List<Method> methods, List<TrainConfig.Reward> rewards,
                               List<Long> seeds, Evaluation evaluation, Analyses analyses) {

    public ExperimentConfig {
        if (name != null) {
            try {
                RunDirectory.validateName(name);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("name: " + e.getMessage());
            }
        }
        if (methods == null || methods.isEmpty()) {
            throw new IllegalArgumentException("methods: list at least one method, e.g. [{label: TailorPO-G, method: tailorpo-g}]");
        }
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < methods.size(); i++) {
            Method m = methods.get(i);
            if (m.method() == null || m.method().isBlank()) {
                throw new IllegalArgumentException("methods[" + i + "].method: name a trainer provider, e.g. tailorpo-g "
                        + "('tailor plugins' lists them)");
            }
            if (!labels.add(m.label())) {
                throw new IllegalArgumentException("methods: label '" + m.label() + "' is used twice");
            }
        }
        if (rewards == null || rewards.isEmpty()) {
            throw new IllegalArgumentException("rewards: list at least one training reward, e.g. [{id: shapes-aesthetic}]");
        }
        Set<String> ids = new HashSet<>();
        for (TrainConfig.Reward r : rewards) {
            if (r.id() == null || r.id().isBlank() || !ids.add(r.id())) {
                throw new IllegalArgumentException("rewards: reward '" + r.id() + "' is missing or given twice");
            }
        }
        if (seeds == null || seeds.isEmpty() || Set.copyOf(seeds).size() != seeds.size()) {
            throw new IllegalArgumentException("seeds: give at least one seed, each once, e.g. [0, 1, 2]");
        }
        methods = List.copyOf(methods);
        rewards = List.copyOf(rewards);
        seeds = List.copyOf(seeds);
    }

    public static ExperimentConfig defaults() {
        return new ExperimentConfig(null, TrainConfig.defaults(),
                List.of(new Method("TailorPO-G", "tailorpo-g", Map.of())),
                List.of(TrainConfig.Reward.defaults()), List.of(0L), Evaluation.defaults(), Analyses.defaults());
    }

    /** The training reward every method is compared on in Tables 2 and 3 and Fig. 4: the first one. */
    public TrainConfig.Reward primaryReward() {
        return rewards.get(0);
    }

    /** The run config of one (method, reward, seed). */
    public TrainConfig runConfig(Method method, TrainConfig.Reward reward, long seed) {
        return new TrainConfig(train.model(), train.prompts(), reward, new TrainConfig.Trainer(method.method(),
                method.settings()), train.sampling(), train.lora(), train.engine(), seed);
    }

    /** The run folder name of one (method, reward, seed): {@code <label>-<reward>-s<seed>}, made file-safe. */
    public static String runName(Method method, TrainConfig.Reward reward, long seed) {
        String raw = method.label() + "-" + reward.id() + "-s" + seed;
        return RunDirectory.validateName(raw.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("\\.\\.+", "_"));
    }

    /**
     * One compared method.
     *
     * @param label the row label in tables and plots (letters, digits, spaces, '.', '_', '-')
     * @param method the trainer provider id (tailorpo, tailorpo-g, d3po, spo, ddpo or a plugin's)
     * @param settings overrides of the provider's defaults, e.g. {lr: 1.0e-4}
     */
    public record Method(String label, String method, Map<String, Object> settings) {
        public Method {
            if (label != null && !label.matches("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")) {
                throw new IllegalArgumentException("label: '" + label + "' must be 1-64 letters, digits, spaces, "
                        + "'.', '_' or '-', starting with a letter or digit");
            }
            settings = ConfigLoader.orderedCopy(settings, "settings");
        }

        /** Label and settings are optional; the method id is checked by the experiment (it has no default). */
        public static Method defaults() {
            return new Method(null, null, Map.of());
        }

        /** The row label: as given, else the method id. */
        @Override
        public String label() {
            return label != null ? label : method;
        }
    }

    /**
     * The evaluation of the base model and every trained run.
     *
     * @param rewards the rewards every image is scored with (the tables' columns)
     * @param rewardOptions options per reward id, e.g. {laion-aesthetic: {clip: /models/clip}}
     * @param trainPrompts the prompt set of Table 2 (usually the training prompts)
     * @param unseenPrompts the prompt set of Table 3 (held-out prompts); null for none
     * @param first use only the first K prompts of each set; null for all
     * @param imagesPerPrompt images per prompt and model
     * @param seed the noise seed (the same noise for every model)
     * @param batch images per generation batch (does not change the images)
     * @param includeBase whether the base model is a row of the tables
     * @param gridPrompts prompts (columns) of the image grids
     */
    public record Evaluation(List<String> rewards, Map<String, Map<String, String>> rewardOptions, String trainPrompts,
                             String unseenPrompts, Integer first, int imagesPerPrompt, long seed, int batch,
                             boolean includeBase, int gridPrompts) {
        public Evaluation {
            if (rewards == null || rewards.isEmpty() || Set.copyOf(rewards).size() != rewards.size()) {
                throw new IllegalArgumentException("rewards: give at least one reward id, each once");
            }
            if (trainPrompts == null || trainPrompts.isBlank()) {
                throw new IllegalArgumentException("train_prompts: name a prompt file");
            }
            if (first != null && first < 1) {
                throw new IllegalArgumentException("first: must be >= 1, got " + first);
            }
            if (imagesPerPrompt < 1) {
                throw new IllegalArgumentException("images_per_prompt: must be >= 1, got " + imagesPerPrompt);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch: must be >= 1, got " + batch);
            }
            if (gridPrompts < 0) {
                throw new IllegalArgumentException("grid_prompts: must be >= 0, got " + gridPrompts);
            }
            rewards = List.copyOf(rewards);
            rewardOptions = ConfigLoader.orderedCopy(rewardOptions, "reward_options");
            for (String id : rewardOptions.keySet()) {
                if (!rewards.contains(id)) {
                    throw new IllegalArgumentException("reward_options: '" + id + "' is not one of rewards " + rewards);
                }
            }
        }

        public static Evaluation defaults() {
            return new Evaluation(List.of("shapes-aesthetic", "shapes-alignment"), Map.of(),
                    "data/prompts/shapes_train.txt", "data/prompts/shapes_unseen.txt", null, 4, 0, 32, true, 8);
        }
    }

    /** The paper's analyses, run on the base model with the training prompts and the primary training reward. */
    public record Analyses(Guidance guidance, OrderConsistency orderConsistency) {
        public static Analyses defaults() {
            return new Analyses(Guidance.defaults(), OrderConsistency.defaults());
        }
    }

    /**
     * Table 1: the guidance sanity check (needs a differentiable reward).
     *
     * @param enabled whether to run it
     * @param n samples per step
     * @param steps step indices (0 = the noisiest)
     * @param batch samples per batch
     * @param eta guidance step size
     * @param delta target reward increase
     */
    public record Guidance(boolean enabled, int n, List<Integer> steps, int batch, double eta, double delta) {
        public Guidance {
            if (n < 1 || batch < 1) {
                throw new IllegalArgumentException("n and batch: must be >= 1, got " + n + ", " + batch);
            }
            if (steps == null || steps.isEmpty()) {
                throw new IllegalArgumentException("steps: list the step indices to check, e.g. [0, 4, 8, 12, 16]");
            }
            steps = List.copyOf(steps);
        }

        public static Guidance defaults() {
            return new Guidance(true, 100, List.of(0, 4, 8, 12, 16), 25, 0.2, 0.5);
        }
    }

    /**
     * Fig. 2: preference-order consistency along D3PO-style trajectory pairs.
     *
     * @param enabled whether to run it
     * @param pairs trajectory pairs
     * @param batch pairs per batch
     */
    public record OrderConsistency(boolean enabled, int pairs, int batch) {
        public OrderConsistency {
            if (pairs < 1 || batch < 1) {
                throw new IllegalArgumentException("pairs and batch: must be >= 1, got " + pairs + ", " + batch);
            }
        }

        public static OrderConsistency defaults() {
            return new OrderConsistency(true, 64, 16);
        }
    }

    /**
     * Loads an experiment config. When {@code train} is a string it names a training config file
     * (relative to {@code home}), whose keys take its place; {@code -D} overrides apply after that,
     * so {@code -Dtrain.engine.sample_budget=64} works either way. Without a name the file's name is
     * used.
     */
    public static ExperimentConfig load(Path file, Map<String, String> overrides, Path home) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read experiment config " + file + ": " + e.getMessage(), e);
        }
        String source = file.toString();
        try {
            JsonNode root = yaml.readTree(text);
            if (root instanceof ObjectNode obj) {
                JsonNode train = obj.get("train");
                if (train != null && train.isTextual()) {
                    Path trainFile = home.resolve(train.asText()).normalize();
                    if (!Files.isRegularFile(trainFile)) {
                        throw new ConfigException(source + ": train: no training config at " + trainFile);
                    }
                    JsonNode trainTree = yaml.readTree(Files.readString(trainFile, StandardCharsets.UTF_8));
                    obj.set("train", trainTree == null || trainTree.isNull() ? obj.objectNode() : trainTree);
                    source = file + " (train: " + train.asText() + ")";
                }
                if (!obj.has("name") || obj.get("name").isNull()) {
                    String fileName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                    obj.put("name", fileName);
                }
                text = yaml.writeValueAsString(obj);
            }
        } catch (IOException e) {
            // not valid YAML: the loader reports it with the line
        }
        return ConfigLoader.parse(ExperimentConfig.class, text, source, overrides);
    }
}
