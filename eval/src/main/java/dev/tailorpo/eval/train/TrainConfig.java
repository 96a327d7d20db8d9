package dev.tailorpo.eval.train;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.eval.config.ConfigLoader;
import dev.tailorpo.trainers.engine.EngineConfig;

import java.util.Map;

/**
 * Everything {@code tailor train} needs, as YAML. Defaults are the paper's (ALGORITHMS.md) on the
 * embedded shapes world; the method's own hyperparameters (learning rate included) default to its
 * provider's values and are overridden under {@code trainer.settings}.
 *
 * <pre>
 * model: models/shapes-base
 * prompts: data/prompts/shapes_train.txt
 * reward: {id: shapes-aesthetic, options: {}}
 * trainer: {method: tailorpo-g, settings: {lr: 3.0e-5}}
 * sampling: {steps: 20, eta: 1.0, guidance_scale: 5.0}
 * lora: {rank: 4, alpha: 4.0}
 * engine: {prompts_per_iteration: 2, sample_budget: 10000, ...}
 * seed: 0
 * </pre>
 *
 * @param model the diffusers snapshot folder (relative paths are read from the TailorPO-J folder)
 * @param prompts a prompt file: one prompt per line, or a JSON array of strings
 * @param reward the reward of final images (and of the step-wise reward built on it)
 * @param trainer the method and its settings
 * @param sampling the rollouts' DDIM steps, eta and guidance scale
 * @param lora the adapters trained
 * @param engine the shared engine's settings
 * @param seed the run seed: LoRA initialisation, prompts and every noise draw derive from it
 */
public record TrainConfig(String model, String prompts, Reward reward, Trainer trainer, Sampling sampling, Lora lora,
                          EngineConfig engine, long seed) {

    public TrainConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("train: model must name a diffusers snapshot folder");
        }
        if (prompts == null || prompts.isBlank()) {
            throw new ConfigException("train: prompts must name a prompt file");
        }
    }

    /** The shapes world with TailorPO-G and shapes-aesthetic, the paper's engine settings. */
    public static TrainConfig defaults() {
        return new TrainConfig("models/shapes-base", "data/prompts/shapes_train.txt", Reward.defaults(),
                Trainer.defaults(), Sampling.defaults(), Lora.defaults(), EngineConfig.defaults(), 0);
    }

    /**
     * A reward provider and its options.
     *
     * @param id the provider id ({@code tailor plugins} lists them)
     * @param options provider-specific options, e.g. a weights path
     */
    public record Reward(String id, Map<String, String> options) {
        public Reward {
            options = ConfigLoader.orderedCopy(options, "options");
        }

        public static Reward defaults() {
            return new Reward("shapes-aesthetic", Map.of());
        }
    }

    /**
     * A trainer provider and the settings that differ from its defaults.
     *
     * @param method the provider id, e.g. tailorpo, tailorpo-g, d3po, spo, ddpo
     * @param settings overrides of the provider's defaults (unknown keys are rejected)
     */
    public record Trainer(String method, Map<String, Object> settings) {
        public Trainer {
            settings = ConfigLoader.orderedCopy(settings, "settings");
        }

        public static Trainer defaults() {
            return new Trainer("tailorpo-g", Map.of());
        }
    }

    /** DDIM sampling of the rollouts (the paper: 20 steps, eta 1, guidance 5). */
    public record Sampling(int steps, double eta, double guidanceScale) {
        public static Sampling defaults() {
            SamplingSettings p = SamplingSettings.paper();
            return new Sampling(p.steps(), p.eta(), p.guidanceScale());
        }

        public SamplingSettings toSettings() {
            return new SamplingSettings(steps, eta, guidanceScale);
        }
    }

    /** LoRA rank and alpha on the UNet's attention projections. */
    public record Lora(int rank, double alpha) {
        public static Lora defaults() {
            return new Lora(4, 4.0);
        }

        public LoraConfig toConfig() {
            return new LoraConfig(rank, (float) alpha);
        }
    }
}
