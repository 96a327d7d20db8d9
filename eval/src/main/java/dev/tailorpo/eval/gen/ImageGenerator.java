package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.GradMode;
import dev.tailorpo.diffusion.pipeline.PromptEmbeddings;
import dev.tailorpo.diffusion.pipeline.Sampler;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.pipeline.Trajectory;
import dev.tailorpo.diffusion.scheduler.Schedulers;

import java.util.ArrayList;
import java.util.List;

/**
 * Text-to-image generation with the fixed per-image noise of {@link GenerationNoise}: DDIM with
 * classifier-free guidance (empty negative prompt) over the model's training schedule, the final
 * sample mapped to images in [0, 1] (through the VAE for latent models). This is the generation
 * core of {@code tailor generate}, {@code tailor eval} and everything that compares models on the
 * same noise; it records no autograd graph.
 *
 * <p>Whatever LoRA adapters are attached to the model's UNet (and switched on) take part, so the
 * same generator serves the base model and every checkpoint in turn.
 */
public final class ImageGenerator {
    private final DiffusionModel model;
    private final Sampler sampler;
    private final SamplingSettings settings;
    private final GenerationNoise noise;

    /** Receives one batch of images; they are freed when it returns. */
    @FunctionalInterface
    public interface BatchSink {
        /**
         * @param keys the batch's images, row r of {@code images} being {@code keys.get(r)}
         * @param images (B, 3, H, W) float32 in [0, 1], in a manager closed after this call
         */
        void accept(List<ImageKey> keys, NDArray images);
    }

    /** Samples with DDIM over the schedule of the model's {@code scheduler/} config. */
    public ImageGenerator(DiffusionModel model, SamplingSettings settings, long seed) {
        this(model, Schedulers.create(model.schedule().withClassName("DDIMScheduler")), settings, seed);
    }

    /** Samples with {@code scheduler} (which must take DDIM's eta, as the built-in DDIM does). */
    public ImageGenerator(DiffusionModel model, NoiseScheduler scheduler, SamplingSettings settings, long seed) {
        this.model = model;
        this.sampler = new Sampler(model, scheduler);
        this.settings = settings;
        this.noise = new GenerationNoise(seed);
    }

    public DiffusionModel model() {
        return model;
    }

    public SamplingSettings settings() {
        return settings;
    }

    public long seed() {
        return noise.seed();
    }

    /** {@code imagesPerPrompt} keys for each prompt, prompt by prompt: (0, 0), (0, 1), ..., (1, 0), ... */
    public static List<ImageKey> keys(List<String> prompts, int imagesPerPrompt) {
        if (imagesPerPrompt < 1) {
            throw new InvalidInputException("images per prompt must be >= 1, got " + imagesPerPrompt);
        }
        List<ImageKey> out = new ArrayList<>(prompts.size() * imagesPerPrompt);
        for (int p = 0; p < prompts.size(); p++) {
            for (int j = 0; j < imagesPerPrompt; j++) {
                out.add(new ImageKey(p, prompts.get(p), j));
            }
        }
        return out;
    }

    /** x_T of these images (B, C, H, W) in the space the UNet denoises, in {@code manager}. */
    public NDArray initialNoise(List<ImageKey> keys, NDManager manager) {
        Shape shape = new Shape(keys.size()).addAll(model.sampleShape());
        return noise.forBatch(keys).initial(shape, manager);
    }

    /** Generates one batch: (B, 3, H, W) float32 in [0, 1] in {@code manager}, row r for {@code keys.get(r)}. */
    public NDArray generate(List<ImageKey> keys, NDManager manager) {
        if (keys.isEmpty()) {
            throw new InvalidInputException("nothing to generate: no image keys");
        }
        List<String> prompts = keys.stream().map(ImageKey::prompt).toList();
        try (GradMode g = GradMode.disabled(); NDManager scope = manager.newSubManager()) {
            PromptEmbeddings c = PromptEmbeddings.encode(model, prompts, scope);
            Trajectory t = sampler.run(c, settings, noise.forBatch(keys), scope, false);
            NDArray images = model.toImages(t.last());
            images.attach(manager);
            return images;
        }
    }

    /**
     * Generates {@code keys} in batches of at most {@code batchSize}, in order, each batch in its own
     * sub-manager of {@code parent} that is closed after {@code sink} has seen it: memory stays flat
     * however many images are made.
     */
    public void generate(List<ImageKey> keys, int batchSize, NDManager parent, BatchSink sink) {
        if (batchSize < 1) {
            throw new InvalidInputException("batch size must be >= 1, got " + batchSize);
        }
        for (int start = 0; start < keys.size(); start += batchSize) {
            List<ImageKey> batch = List.copyOf(keys.subList(start, Math.min(keys.size(), start + batchSize)));
            try (NDManager scope = parent.newSubManager()) {
                sink.accept(batch, generate(batch, scope));
            }
        }
    }
}
