package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * transformers' {@code CLIPVisionTransformer} (the {@code vision_model.} of a CLIPModel): patch
 * embeddings, {@code pre_layrnorm} (sic: transformers' key), the encoder without mask, and
 * {@code post_layernorm} applied to the class token only. Parameters start frozen.
 */
public final class ClipVisionModel extends Module {
    /** The prefix of the vision tower inside a CLIPModel. */
    public static final String PREFIX = "vision_model.";

    private final ClipVisionConfig config;
    private final ClipVisionEmbeddings embeddings;
    private final LayerNormLayer preLayrnorm;
    private final ClipEncoder encoder;
    private final LayerNormLayer postLayernorm;

    /**
     * @param lastHiddenState (B, 1 + P, D), the encoder output without the post LayerNorm (as
     *     transformers returns it)
     * @param pooledOutput (B, D): post_layernorm of the class token
     */
    public record Output(NDArray lastHiddenState, NDArray pooledOutput) {}

    public ClipVisionModel(ClipVisionConfig config) {
        this.config = config;
        float eps = (float) config.layerNormEps();
        this.embeddings = child("embeddings", new ClipVisionEmbeddings(config));
        this.preLayrnorm = child("pre_layrnorm", new LayerNormLayer(config.hiddenSize(), eps));
        this.encoder = child("encoder", new ClipEncoder(config.numHiddenLayers(), config.hiddenSize(),
                config.numAttentionHeads(), config.intermediateSize(), config.hiddenAct(), eps));
        this.postLayernorm = child("post_layernorm", new LayerNormLayer(config.hiddenSize(), eps));
    }

    public ClipVisionConfig config() {
        return config;
    }

    /**
     * @param pixelValues (B, C, S, S) float32, normalised with CLIP's mean and std at the configured
     *     image size (see {@link ClipImageProcessor}); differentiable
     */
    public Output forward(NDArray pixelValues) {
        Shape s = pixelValues.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != size || s.get(3) != size) {
            throw new InvalidInputException("CLIP pixel_values must be (batch, " + config.numChannels() + ", "
                    + size + ", " + size + "), got " + s + " (resize with ClipImageProcessor)");
        }
        NDArray h = encoder.forward(preLayrnorm.forward(embeddings.forward(pixelValues)), null);
        NDArray cls = h.get(":, 0, :");
        return new Output(h, postLayernorm.forward(cls));
    }
}
