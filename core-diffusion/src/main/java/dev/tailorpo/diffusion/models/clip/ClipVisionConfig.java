package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.models.ConfigJson;

import java.nio.file.Path;

/**
 * transformers' {@code CLIPVisionConfig}: the vision tower's sizes as read from a
 * {@code config.json}, with transformers' defaults (ViT-B/32) for absent keys.
 */
public record ClipVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numChannels,
        int imageSize,
        int patchSize,
        ClipActivation hiddenAct,
        double layerNormEps,
        int projectionDim) {

    public ClipVisionConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelFormatException("CLIP vision config: hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new ModelFormatException("CLIP vision config: image_size " + imageSize
                    + " is not a multiple of patch_size " + patchSize);
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Sequence length: one token per patch plus the class token. */
    public int numPositions() {
        return gridSize() * gridSize() + 1;
    }

    /**
     * Reads a CLIPVisionModel {@code config.json}, or the {@code vision_config} of a CLIPModel one.
     *
     * @throws ModelFormatException when the file is missing, malformed or inconsistent
     */
    public static ClipVisionConfig read(Path configJson) {
        ConfigJson root = ConfigJson.read(configJson);
        boolean fullModel = root.has("vision_config") || "clip".equals(root.getString("model_type", ""));
        return from(fullModel ? root.section("vision_config") : root);
    }

    static ClipVisionConfig from(ConfigJson c) {
        return new ClipVisionConfig(
                c.positive("hidden_size", c.getInt("hidden_size", 768)),
                c.positive("intermediate_size", c.getInt("intermediate_size", 3072)),
                c.positive("num_hidden_layers", c.getInt("num_hidden_layers", 12)),
                c.positive("num_attention_heads", c.getInt("num_attention_heads", 12)),
                c.positive("num_channels", c.getInt("num_channels", 3)),
                c.positive("image_size", c.getInt("image_size", 224)),
                c.positive("patch_size", c.getInt("patch_size", 32)),
                ClipActivation.fromConfig(c.getString("hidden_act", "quick_gelu"), c.source()),
                c.getDouble("layer_norm_eps", 1e-5),
                c.positive("projection_dim", c.getInt("projection_dim", 512)));
    }
}
