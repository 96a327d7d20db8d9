package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * BLIP's BERT text encoder ({@code med.py}'s {@code BertModel(add_pooling_layer=False)},
 * ImageReward's {@code blip.text_encoder}): embeddings and the layer stack, with parameter paths
 * {@code embeddings.*} and {@code encoder.layer.N.*} as in the state dict. The
 * {@code embeddings.position_ids} buffer of checkpoints is recomputed, not loaded.
 */
public final class BertModel extends Module {
    /** The buffer checkpoints carry beside the weights. */
    public static final String POSITION_IDS = "embeddings.position_ids";

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final ModuleList<BertLayer> layers;

    /** transformers' {@code BertEncoder}: the child {@code layer}. */
    private static final class Encoder extends Module {
        final ModuleList<BertLayer> layer = child("layer", new ModuleList<>());
    }

    public BertModel(BertConfig config) {
        this.config = config;
        this.embeddings = child("embeddings", new BertEmbeddings(config));
        this.layers = child("encoder", new Encoder()).layer;
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new BertLayer(config));
        }
    }

    public BertConfig config() {
        return config;
    }

    /**
     * The last hidden state.
     *
     * @param inputIds (B, N) int64 token ids (or float holding integers), N at most the number of
     *     positions
     * @param attentionMask (B, N) of 1 (token) and 0 (padding), any numeric type; padding is
     *     masked out of self-attention by adding {@code (1 - mask) * -10000} to the scores, as BLIP
     *     does
     * @param encoderStates (B, M, encoderWidth) image tokens for the cross-attention, or
     *     {@code null} for a config without it
     * @return (B, N, hidden), in the manager of {@code inputIds}
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, NDArray encoderStates) {
        Shape s = inputIds.getShape();
        if (s.dimension() != 2 || s.get(1) < 1 || s.get(1) > config.maxPositionEmbeddings()) {
            throw new InvalidInputException("BERT input_ids must be (batch, length <= "
                    + config.maxPositionEmbeddings() + "), got " + s);
        }
        if (!attentionMask.getShape().equals(s)) {
            throw new InvalidInputException("BERT attention_mask must have the shape of input_ids " + s + ", got "
                    + attentionMask.getShape());
        }
        if (config.crossAttention() && encoderStates == null) {
            throw new InvalidInputException("this BERT cross-attends: it needs encoder states");
        }
        NDArray ids = inputIds.getDataType() == DataType.INT64 ? inputIds : inputIds.toType(DataType.INT64, false);
        checkVocabulary(ids.toLongArray());
        NDArray mask = additiveMask(attentionMask);
        NDArray h = embeddings.forward(ids);
        for (BertLayer layer : layers) {
            h = layer.forward(h, mask, encoderStates);
        }
        return h;
    }

    /** (B, 1, 1, N): 0 for tokens, -10000 for padding, built on the host (the mask is never differentiated). */
    private static NDArray additiveMask(NDArray attentionMask) {
        float[] m = attentionMask.toType(DataType.FLOAT32, false).toFloatArray();
        float[] add = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            add[i] = (1f - m[i]) * -10000f;
        }
        Shape s = attentionMask.getShape();
        return attentionMask.getManager().create(add, new Shape(s.get(0), 1, 1, s.get(1)));
    }

    private void checkVocabulary(long[] ids) {
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InvalidInputException("token id " + id + " is outside the BERT vocabulary of "
                        + config.vocabSize() + " ids");
            }
        }
    }
}
