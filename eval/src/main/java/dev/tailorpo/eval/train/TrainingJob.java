package dev.tailorpo.eval.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ProviderEntry;
import dev.tailorpo.api.plugin.ServiceKind;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.cli.BuildInfo;
import dev.tailorpo.eval.config.ConfigLoader;
import dev.tailorpo.eval.plugins.RewardModels;
import dev.tailorpo.trainers.engine.PreferenceTrainer;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.run.RunDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One preference-training run from a {@link TrainConfig}: it resolves the model, prompts, reward
 * and trainer (through the plugin registry), records the resolved config and the provenance in the
 * run folder, and runs the shared engine. Used by {@code tailor train} and by experiments.
 *
 * <p>A new run writes {@code config.yaml} and {@code provenance.json} before training. Resuming
 * reads the run's own {@code config.yaml} (so a resumed run cannot silently change its settings)
 * and refuses to continue when the model or the prompt file no longer match their recorded
 * checksums.
 */
public final class TrainingJob {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainConfig config;
    private final Path home;
    private final PluginRegistry plugins;
    private final Device device;

    /**
     * @param config the run's settings
     * @param home the folder relative paths in the config are read from (the TailorPO-J folder)
     * @param plugins where reward and trainer providers are looked up
     * @param device where tensors live
     */
    public TrainingJob(TrainConfig config, Path home, PluginRegistry plugins, Device device) {
        this.config = config;
        this.home = home;
        this.plugins = plugins;
        this.device = device;
    }

    public TrainConfig config() {
        return config;
    }

    /** Starts a new run in {@code run} (an empty folder): records config and provenance, then trains. */
    public void start(RunDirectory run, PreferenceTrainer.Listener listener) {
        Resolved r = resolve();
        ConfigLoader.write(config, run.config());
        AtomicFiles.writeString(run.provenance(), provenance(r));
        train(r, run, listener);
    }

    /** The job of an existing run, with the config it was started with (its {@code config.yaml}). */
    public static TrainingJob of(RunDirectory run, Path home, PluginRegistry plugins, Device device) {
        if (!Files.exists(run.config())) {
            throw new ConfigException("run " + run.root() + " has no config.yaml; it was not started by tailor train");
        }
        return new TrainingJob(ConfigLoader.load(TrainConfig.class, run.config(), Map.of()), home, plugins, device);
    }

    /**
     * Continues {@code run} from its newest checkpoint; refuses when the model or prompt file
     * changed since the run started.
     */
    public void resume(RunDirectory run, PreferenceTrainer.Listener listener) {
        Resolved r = resolve();
        checkUnchanged(run, r);
        train(r, run, listener);
    }

    /** The run's inputs, found and checked before anything is written. */
    private record Resolved(Path model, Path prompts, List<String> promptList, TrainerProvider trainer,
                            MethodSettings settings, RewardProvider reward, RewardContext rewardContext) {}

    private Resolved resolve() {
        Path model = home.resolve(config.model()).normalize();
        if (!Files.isRegularFile(model.resolve("model_index.json"))) {
            throw new ConfigException("model: " + model + " is not a diffusers snapshot (no model_index.json)");
        }
        Path prompts = home.resolve(config.prompts()).normalize();
        List<String> promptList = PromptFile.read(prompts).prompts();
        TrainerProvider trainer = plugins.get(TrainerProvider.KIND, config.trainer().method());
        MethodSettings settings = MethodSettings.of(trainer.id(), trainer.defaults(), config.trainer().settings());
        RewardProvider reward = plugins.get(RewardProvider.KIND, config.reward().id());
        RewardContext context = RewardModels.context(home, device, config.reward().options());
        return new Resolved(model, prompts, promptList, trainer, settings, reward, context);
    }

    private void train(Resolved r, RunDirectory run, PreferenceTrainer.Listener listener) {
        TrainingMethod<?> method = r.trainer.create(r.settings);
        try (NDManager manager = NDManager.newBaseManager(device);
             RewardModel reward = r.reward.create(r.rewardContext)) {
            GuidedPolicy policy = GuidedPolicy.load(r.model, config.sampling().toSettings(), config.lora().toConfig(),
                    config.seed(), manager);
            new PreferenceTrainer(policy, reward, method, r.settings.getDouble("lr"), config.engine(), r.promptList,
                    config.seed(), run, manager).run(listener);
        }
    }

    private String provenance(Resolved r) {
        BuildInfo build = BuildInfo.current();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("created", Instant.now().toString());
        p.put("tailorpo", Map.of("version", build.version(), "commit", build.commit(), "dirty", build.dirty(),
                "djl", build.djl(), "pytorch", build.pytorch()));
        p.put("machine", Map.of("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version"), "cores", Runtime.getRuntime().availableProcessors(),
                "device", device.toString()));
        p.put("seed", config.seed());
        p.put("model", Map.of("path", r.model.toString(), "sha256", Provenance.checksums(r.model)));
        p.put("prompts", Map.of("path", r.prompts.toString(), "count", r.promptList.size(),
                "sha256", Provenance.sha256(r.prompts)));
        Map<String, Object> reward = new LinkedHashMap<>();
        reward.put("id", r.reward.id());
        reward.put("source", source(RewardProvider.KIND, r.reward.id()));
        reward.put("options", config.reward().options());
        reward.put("sha256", rewardChecksums(r));
        p.put("reward", reward);
        p.put("trainer", Map.of("method", r.trainer.id(), "source", source(TrainerProvider.KIND, r.trainer.id()),
                "settings", r.settings.asMap()));
        try {
            return JSON.writeValueAsString(p) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files a reward reads: option values that name files, else its default folder under models/. */
    private Map<String, Map<String, String>> rewardChecksums(Resolved r) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : config.reward().options().entrySet()) {
            Path p = home.resolve(o.getValue()).normalize();
            if (Files.exists(p)) {
                out.put(o.getKey(), Provenance.checksums(p));
            }
        }
        Path fallback = r.rewardContext.modelsDir().resolve(r.reward.id());
        if (out.isEmpty() && Files.isDirectory(fallback)) {
            out.put("models/" + r.reward.id(), Provenance.checksums(fallback));
        }
        return out;
    }

    /** The jar (or class path) the provider came from. */
    private String source(ServiceKind<?> kind, String id) {
        return plugins.entries().stream().filter(e -> e.kind().equals(kind.name()) && e.id().equals(id))
                .map(ProviderEntry::source).findFirst().orElse("unknown");
    }

    private void checkUnchanged(RunDirectory run, Resolved r) {
        JsonNode recorded;
        try {
            recorded = JSON.readTree(run.provenance().toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + run.provenance() + ": " + e.getMessage(), e);
        }
        Map<String, String> now = Provenance.checksums(r.model);
        JsonNode was = recorded.path("model").path("sha256");
        for (Map.Entry<String, String> f : now.entrySet()) {
            if (!f.getValue().equals(was.path(f.getKey()).asText())) {
                throw new ConfigException("cannot resume " + run.name() + ": model file " + f.getKey() + " under "
                        + r.model + " changed since the run started (its checksum differs from provenance.json)");
            }
        }
        if (!Provenance.sha256(r.prompts).equals(recorded.path("prompts").path("sha256").asText())) {
            throw new ConfigException("cannot resume " + run.name() + ": prompt file " + r.prompts
                    + " changed since the run started");
        }
    }
}
