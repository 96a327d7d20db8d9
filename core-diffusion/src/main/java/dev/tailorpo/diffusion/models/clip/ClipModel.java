package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.Init;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.Param;

import java.nio.file.Path;
import java.util.Set;

/**
 * transformers' {@code CLIPModel}: both towers, bias-free projections into the shared embedding
 * space, and the learned log temperature {@code logit_scale}. Used by the CLIP-based rewards (LAION
 * aesthetic on {@link #imageEmbeds}, PickScore-style similarity on {@link #logitsPerImage}).
 * Parameters start frozen: a reward model is never trained by preference training, and frozen
 * weights let gradients flow to the image only.
 */
public final class ClipModel extends Module {
    private static final Set<String> BUFFERS = Set.of(
            ClipTextModel.PREFIX + "embeddings.position_ids", ClipVisionModel.PREFIX + "embeddings.position_ids");

    private final ClipConfig config;
    private final ClipTextModel textModel;
    private final ClipVisionModel visionModel;
    private final LinearLayer visualProjection;
    private final LinearLayer textProjection;
    private final Param logitScale;

    public ClipModel(ClipConfig config) {
        this.config = config;
        this.textModel = child("text_model", new ClipTextModel(config.text()));
        this.visionModel = child("vision_model", new ClipVisionModel(config.vision()));
        this.visualProjection = child("visual_projection",
                new LinearLayer(config.vision().hiddenSize(), config.projectionDim(), false));
        this.textProjection = child("text_projection",
                new LinearLayer(config.text().hiddenSize(), config.projectionDim(), false));
        this.logitScale = param("logit_scale", Init.constant((float) config.logitScaleInit()));
    }

    public ClipConfig config() {
        return config;
    }

    public ClipTextModel textModel() {
        return textModel;
    }

    public ClipVisionModel visionModel() {
        return visionModel;
    }

    /** The preprocessing that turns images in [0, 1] into this model's {@code pixel_values}. */
    public ClipImageProcessor imageProcessor() {
        return ClipImageProcessor.forConfig(config.vision());
    }

    /**
     * Reads {@code dir/config.json} (a CLIPModel config) and {@code dir/model.safetensors}.
     *
     * @throws dev.tailorpo.api.ModelFormatException naming the missing file or the keys that do not fit
     */
    public static ClipModel load(Path dir, NDManager manager) {
        ClipModel model = new ClipModel(ClipConfig.read(dir.resolve("config.json")));
        try (TensorSource source = ClipFiles.openWeights(dir.resolve(ClipWeights.DEFAULT_FILE))) {
            model.loadWeights(source, manager);
        }
        return model;
    }

    /** Loads every weight from {@code source} (strict; {@code position_ids} buffers ignored). */
    public void loadWeights(TensorSource source, NDManager manager) {
        ClipWeights.load(this, source, "", BUFFERS, manager);
    }

    /**
     * transformers' {@code get_image_features}: the projected class token, not normalised.
     *
     * @param pixelValues (B, C, S, S), see {@link ClipVisionModel#forward}; differentiable
     * @return (B, projection_dim)
     */
    public NDArray imageEmbeds(NDArray pixelValues) {
        return visualProjection.forward(visionModel.forward(pixelValues).pooledOutput());
    }

    /**
     * transformers' {@code get_text_features}: the projected pooled text output, not normalised.
     *
     * @param inputIds (B, N) token ids, see {@link ClipTextModel#forward}
     */
    public NDArray textEmbeds(NDArray inputIds) {
        return textProjection.forward(textModel.forward(inputIds).pooledOutput());
    }

    /**
     * CLIPModel's {@code logits_per_image}: exp(logit_scale) times the cosine similarity of every
     * image with every text, (images, texts).
     */
    public NDArray logitsPerImage(NDArray pixelValues, NDArray inputIds) {
        return similarityLogits(imageEmbeds(pixelValues), textEmbeds(inputIds));
    }

    /**
     * Divides each embedding (last axis) by its Euclidean norm: what CLIPModel does before its
     * logits, and what the LAION aesthetic predictor does before its MLP; differentiable.
     */
    public static NDArray l2Normalize(NDArray embeds) {
        return ClipTensors.l2Normalize(embeds);
    }

    /**
     * {@link #logitsPerImage} from embeddings already computed (e.g. text embeddings cached once
     * per prompt): both are unnormalised outputs of {@link #imageEmbeds} and {@link #textEmbeds}.
     */
    public NDArray similarityLogits(NDArray imageEmbeds, NDArray textEmbeds) {
        NDArray cosine = ClipTensors.l2Normalize(imageEmbeds).matMul(ClipTensors.l2Normalize(textEmbeds).transpose());
        return cosine.mul(ClipTensors.inScopeOf(cosine, logitScale.array()).exp());
    }
}
