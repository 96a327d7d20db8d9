package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.models.ConfigJson;

import java.nio.file.Path;

/**
 * transformers' {@code CLIPTextConfig}: the text tower's sizes as read from a {@code config.json}.
 * Absent keys take transformers' defaults, so that a config listing only what differs (as
 * {@code testdata/real-model-shapes.json} does) means what it means in Python.
 *
 * @param eosTokenId decides the pooled position: see {@link ClipTextModel#eosPositions}
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        ClipActivation hiddenAct,
        double layerNormEps,
        int projectionDim,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    public ClipTextConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelFormatException("CLIP text config: hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
    }

    /** The width of one attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /**
     * Reads a CLIPTextModel {@code config.json}, or the {@code text_config} of a CLIPModel one.
     *
     * @throws ModelFormatException when the file is missing, malformed or inconsistent
     */
    public static ClipTextConfig read(Path configJson) {
        ConfigJson root = ConfigJson.read(configJson);
        boolean fullModel = root.has("text_config") || "clip".equals(root.getString("model_type", ""));
        return from(fullModel ? root.section("text_config") : root);
    }

    static ClipTextConfig from(ConfigJson c) {
        return new ClipTextConfig(
                c.positive("vocab_size", c.getInt("vocab_size", 49408)),
                c.positive("hidden_size", c.getInt("hidden_size", 512)),
                c.positive("intermediate_size", c.getInt("intermediate_size", 2048)),
                c.positive("num_hidden_layers", c.getInt("num_hidden_layers", 12)),
                c.positive("num_attention_heads", c.getInt("num_attention_heads", 8)),
                c.positive("max_position_embeddings", c.getInt("max_position_embeddings", 77)),
                ClipActivation.fromConfig(c.getString("hidden_act", "quick_gelu"), c.source()),
                c.getDouble("layer_norm_eps", 1e-5),
                c.positive("projection_dim", c.getInt("projection_dim", 512)),
                c.getInt("bos_token_id", 49406),
                c.getInt("eos_token_id", 49407),
                c.getInt("pad_token_id", 1));
    }
}
