package dev.tailorpo.diffusion.pipeline;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.diffusion.models.clip.ClipTextModel;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.models.vae.AutoencoderKL;
import dev.tailorpo.diffusion.scheduler.Schedulers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A text-to-image model loaded from a diffusers snapshot folder: tokenizer, text encoder, UNet,
 * the noise schedule and, for latent models, the VAE. The same loader reads a real Stable Diffusion
 * 1.x/2.x download and the shapes world's pixel-space model (whose index has no VAE).
 *
 * <p>All weights live in the manager given to {@link #load}; the model holds no other native memory.
 */
public final class DiffusionModel {
    private final ModelIndex index;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final SchedulerConfig schedule;

    private DiffusionModel(ModelIndex index, ClipTokenizer tokenizer, ClipTextModel textEncoder,
                           UNet2DConditionModel unet, AutoencoderKL vae, SchedulerConfig schedule) {
        this.index = index;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedule = schedule;
    }

    /** Loads every component of the snapshot at {@code dir} into {@code manager}. */
    public static DiffusionModel load(Path dir, NDManager manager) {
        ModelIndex index = ModelIndex.read(dir);
        ClipTokenizer tokenizer = ClipTokenizer.load(index.require("tokenizer"));
        ClipTextModel textEncoder = ClipTextModel.load(index.require("text_encoder"), manager);
        UNet2DConditionModel unet = UNet2DConditionModel.load(index.require("unet"), manager);
        AutoencoderKL vae = index.component("vae").isPresent()
                ? AutoencoderKL.load(index.require("vae"), manager) : null;
        SchedulerConfig schedule = Schedulers.readConfig(index.require("scheduler"));
        return new DiffusionModel(index, tokenizer, textEncoder, unet, vae, schedule);
    }

    /** Assembles a model from components built in memory (pretraining). */
    public static DiffusionModel of(ModelIndex index, ClipTokenizer tokenizer, ClipTextModel textEncoder,
                                    UNet2DConditionModel unet, AutoencoderKL vae, SchedulerConfig schedule) {
        return new DiffusionModel(index, tokenizer, textEncoder, unet, vae, schedule);
    }

    public ModelIndex index() {
        return index;
    }

    public Path dir() {
        return index.dir();
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public Optional<AutoencoderKL> vae() {
        return Optional.ofNullable(vae);
    }

    /** The training noise schedule and prediction type from {@code scheduler/scheduler_config.json}. */
    public SchedulerConfig schedule() {
        return schedule;
    }

    /** The shape (C, H, W) of one sample in the space the UNet denoises. */
    public Shape sampleShape() {
        var c = unet.config();
        return new Shape(c.inChannels(), c.sampleSize(), c.sampleSize());
    }

    /**
     * Encodes prompts to the text encoder's last hidden state (B, L, D), in the manager of
     * {@code manager}. Gradients never flow into the text encoder here.
     */
    public NDArray encodeText(List<String> prompts, NDManager manager) {
        int[][] ids = tokenizer.encodeBatch(prompts);
        long[] flat = new long[ids.length * ids[0].length];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                flat[i * ids[i].length + j] = ids[i][j];
            }
        }
        NDArray input = manager.create(flat, new Shape(ids.length, ids[0].length));
        try (GradMode g = GradMode.disabled()) {
            return textEncoder.forward(input).lastHiddenState();
        }
    }

    /**
     * Maps samples to images in [0, 1], differentiably: through the VAE decoder for latent models,
     * directly for pixel-space ones, then {@code (x / 2 + 0.5).clamp(0, 1)} as diffusers does.
     */
    public NDArray toImages(NDArray samples) {
        NDArray pixels = vae == null ? samples : vae.decode(samples);
        return unitRange(pixels);
    }

    /**
     * {@link #toImages} as stages whose composition it is: the VAE decoder's
     * ({@link AutoencoderKL#decodeStages}), the last one also mapping to [0, 1].
     */
    public List<UnaryOperator<NDArray>> toImagesStages() {
        if (vae == null) {
            return List.of(DiffusionModel::unitRange);
        }
        List<UnaryOperator<NDArray>> stages = new ArrayList<>(vae.decodeStages());
        UnaryOperator<NDArray> last = stages.get(stages.size() - 1);
        stages.set(stages.size() - 1, h -> unitRange(last.apply(h)));
        return stages;
    }

    private static NDArray unitRange(NDArray pixels) {
        return Scalars.mul(pixels, 0.5).add(0.5f).clip(0f, 1f);
    }
}
