package dev.tailorpo.diffusion.models.bert;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.models.ConfigJson;

import java.nio.file.Path;

/**
 * The sizes of BLIP's BERT text encoder ({@code med.py}'s {@code BertModel}) as its
 * {@code med_config.json} gives them, with transformers' {@code BertConfig} defaults for absent
 * keys.
 *
 * <p>Two of the file's entries do not mean what they say in BLIP: {@code encoder_width}, the width
 * of the image tokens the cross-attention reads, is overwritten by BLIP with the vision tower's
 * width (the published ImageReward file says 768, the model is 1024 wide), which
 * {@link #withEncoderWidth} does; and {@code type_vocab_size} is unused, since BLIP's embeddings
 * have no token types.
 *
 * @param encoderWidth the width of the states the cross-attention's keys and values project from
 * @param crossAttention whether every layer cross-attends to encoder states
 *     ({@code add_cross_attention})
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                         int intermediateSize, int maxPositionEmbeddings, double layerNormEps, int padTokenId,
                         int encoderWidth, boolean crossAttention) {

    public BertConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelFormatException("BERT config: hidden_size " + hiddenSize + " is not divisible by "
                    + numAttentionHeads + " attention heads");
        }
        if (encoderWidth <= 0) {
            throw new ModelFormatException("BERT config: encoder_width must be positive, was " + encoderWidth);
        }
    }

    /** The same config cross-attending to states of width {@code width}. */
    public BertConfig withEncoderWidth(int width) {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                maxPositionEmbeddings, layerNormEps, padTokenId, width, crossAttention);
    }

    /**
     * Reads a {@code med_config.json}. Only what BLIP's BERT implements is accepted: the exact
     * GELU ({@code hidden_act: gelu}) and absolute position embeddings.
     *
     * @throws ModelFormatException naming the file and the key that is missing, malformed or
     *     unsupported
     */
    public static BertConfig read(Path file) {
        return from(ConfigJson.read(file));
    }

    /** {@link #read} of a config already parsed. */
    public static BertConfig from(ConfigJson c) {
        String act = c.getString("hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new ModelFormatException(c.source() + ": hidden_act '" + act + "' is not supported (BLIP's BERT uses gelu)");
        }
        String positions = c.getString("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw new ModelFormatException(c.source() + ": position_embedding_type '" + positions
                    + "' is not supported (BLIP's BERT uses absolute)");
        }
        int hidden = c.positive("hidden_size", c.getInt("hidden_size", 768));
        return new BertConfig(
                c.positive("vocab_size", c.getInt("vocab_size", 30522)),
                hidden,
                c.positive("num_hidden_layers", c.getInt("num_hidden_layers", 12)),
                c.positive("num_attention_heads", c.getInt("num_attention_heads", 12)),
                c.positive("intermediate_size", c.getInt("intermediate_size", 3072)),
                c.positive("max_position_embeddings", c.getInt("max_position_embeddings", 512)),
                c.getDouble("layer_norm_eps", 1e-12),
                c.getInt("pad_token_id", 0),
                c.positive("encoder_width", c.getInt("encoder_width", hidden)),
                c.getBoolean("add_cross_attention", false));
    }
}
