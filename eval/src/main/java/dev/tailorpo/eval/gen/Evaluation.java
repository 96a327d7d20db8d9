package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The evaluation protocol: every model (the base model, or each training run's LoRA adapters in
 * turn on the same base weights) generates {@code imagesPerPrompt} images for every prompt of every
 * prompt set with the fixed per-image noise of {@link GenerationNoise}, and every reward scores
 * every image. So all models are compared on the same initial and step noise, and all rewards on
 * the same images.
 *
 * <p>Memory is scoped: each run's adapters live in a sub-manager closed after the run, each batch's
 * images and activations in a sub-manager closed after scoring. Scores go to a sink as soon as a
 * batch is scored (e.g. a JSON-lines file) and are also returned.
 */
public final class Evaluation {
    private final DiffusionModel model;
    private final List<RewardModel> rewards;
    private final Settings settings;

    /**
     * How images are made.
     *
     * @param sampling DDIM steps, eta, guidance
     * @param seed the noise seed
     * @param imagesPerPrompt N images per prompt
     * @param batchSize images per generation batch (does not change the images)
     */
    public record Settings(SamplingSettings sampling, long seed, int imagesPerPrompt, int batchSize) {
        public Settings {
            if (imagesPerPrompt < 1 || batchSize < 1) {
                throw new InvalidInputException("images per prompt and batch size must be >= 1, got "
                        + imagesPerPrompt + ", " + batchSize);
            }
        }
    }

    /** Progress callbacks. */
    public interface Listener {
        /** Before a model run starts generating (run is 0-based; {@code lora} is null for the base model). */
        default void onRun(EvalModel model, int run, Path lora) {}

        /**
         * Each batch's images before they are freed (e.g. to keep some for a grid), {@code images}
         * (B, 3, H, W) in [0, 1] with row r for {@code keys.get(r)}.
         */
        default void onImages(EvalModel model, int run, PromptFile set, List<ImageKey> keys, NDArray images) {}

        /** After each scored batch; counts are over the whole evaluation. */
        default void onBatch(long imagesDone, long imagesTotal) {}
    }

    /**
     * @param model the base model (no adapters attached)
     * @param rewards the rewards, distinct ids; their order is the tables' column order
     */
    public Evaluation(DiffusionModel model, List<RewardModel> rewards, Settings settings) {
        if (rewards.isEmpty()) {
            throw new InvalidInputException("an evaluation needs at least one reward");
        }
        Set<String> ids = new HashSet<>();
        for (RewardModel r : rewards) {
            if (!ids.add(r.info().id())) {
                throw new InvalidInputException("reward '" + r.info().id() + "' is given twice");
            }
        }
        this.model = model;
        this.rewards = List.copyOf(rewards);
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    public List<RewardModel> rewards() {
        return rewards;
    }

    /** The number of images {@link #run} generates. */
    public long images(List<EvalModel> models, List<PromptFile> sets) {
        long perRun = 0;
        for (PromptFile s : sets) {
            perRun += (long) s.prompts().size() * settings.imagesPerPrompt();
        }
        long runs = 0;
        for (EvalModel m : models) {
            runs += m.runs();
        }
        return runs * perRun;
    }

    /**
     * Generates and scores everything, model by model, run by run, set by set.
     *
     * @param manager the parent of every scope (the model's manager or a child of it)
     * @param sink receives each record as soon as its batch is scored
     * @return every record, in the order given to the sink
     */
    public List<ScoreRecord> run(List<EvalModel> models, List<PromptFile> sets, NDManager manager,
                                 Consumer<ScoreRecord> sink, Listener listener) {
        validate(models, sets);
        ImageGenerator generator = new ImageGenerator(model, settings.sampling(), settings.seed());
        long total = images(models, sets);
        long[] done = {0};
        List<ScoreRecord> all = new ArrayList<>();
        Consumer<ScoreRecord> out = r -> {
            all.add(r);
            sink.accept(r);
        };
        for (EvalModel m : models) {
            for (int run = 0; run < m.runs(); run++) {
                Path lora = m.isBase() ? null : m.loras().get(run);
                listener.onRun(m, run, lora);
                try (NDManager adapters = manager.newSubManager()) {
                    Lora attached = lora == null ? null : LoraWeights.attach(model, lora, adapters);
                    try {
                        for (PromptFile set : sets) {
                            final int r = run;
                            score(generator, m.label(), run, lora, set, manager, out, (keys, images) -> {
                                listener.onImages(m, r, set, keys, images);
                                done[0] += keys.size();
                                listener.onBatch(done[0], total);
                            });
                        }
                    } finally {
                        if (attached != null) {
                            attached.detach();
                        }
                    }
                }
            }
        }
        return all;
    }

    private void score(ImageGenerator generator, String label, int run, Path lora, PromptFile set, NDManager manager,
                       Consumer<ScoreRecord> out, ImageGenerator.BatchSink scored) {
        String checkpoint = lora == null ? EvalModel.BASE : lora.toString();
        List<ImageKey> keys = ImageGenerator.keys(set.prompts(), settings.imagesPerPrompt());
        generator.generate(keys, settings.batchSize(), manager, (batch, images) -> {
            List<String> prompts = batch.stream().map(ImageKey::prompt).toList();
            for (RewardModel reward : rewards) {
                String id = reward.info().id();
                float[] s = reward.score(images, prompts);
                if (s.length != batch.size()) {
                    throw new TailorException("reward '" + id + "' returned " + s.length + " scores for " + batch.size() + " images");
                }
                for (int r = 0; r < s.length; r++) {
                    ImageKey k = batch.get(r);
                    if (!Float.isFinite(s[r])) {
                        throw new TailorException("reward '" + id + "' gave " + s[r] + " for image " + k.imageIndex()
                                + " of prompt " + k.promptIndex() + " ('" + k.prompt() + "') of " + set.name() + ", model "
                                + label + (lora == null ? "" : " (" + lora + ")"));
                    }
                    out.accept(new ScoreRecord(label, run, checkpoint, set.name(), k.promptIndex(), k.prompt(),
                            k.imageIndex(), settings.seed(), id, s[r]));
                }
            }
            scored.accept(batch, images);
        });
    }

    private static void validate(List<EvalModel> models, List<PromptFile> sets) {
        if (models.isEmpty() || sets.isEmpty()) {
            throw new InvalidInputException("an evaluation needs at least one model and one prompt set");
        }
        Set<String> labels = new HashSet<>();
        for (EvalModel m : models) {
            if (!labels.add(m.label())) {
                throw new InvalidInputException("two models are labelled '" + m.label() + "'; give one LABEL=PATH");
            }
        }
        Set<String> names = new HashSet<>();
        for (PromptFile s : sets) {
            if (!names.add(s.name())) {
                throw new InvalidInputException("two prompt sets are named '" + s.name() + "'");
            }
        }
    }
}
