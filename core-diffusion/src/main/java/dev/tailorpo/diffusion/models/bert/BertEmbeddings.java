package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tailorpo.diffusion.nn.EmbeddingLayer;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * BLIP's BERT embeddings: word plus absolute position embeddings, then LayerNorm. Unlike Google's
 * BERT there are no token-type embeddings (BLIP removed them).
 */
public final class BertEmbeddings extends Module {
    private final EmbeddingLayer wordEmbeddings;
    private final EmbeddingLayer positionEmbeddings;
    private final LayerNormLayer layerNorm;

    public BertEmbeddings(BertConfig c) {
        this.wordEmbeddings = child("word_embeddings", new EmbeddingLayer(c.vocabSize(), c.hiddenSize()));
        this.positionEmbeddings = child("position_embeddings", new EmbeddingLayer(c.maxPositionEmbeddings(), c.hiddenSize()));
        this.layerNorm = child("LayerNorm", new LayerNormLayer(c.hiddenSize(), (float) c.layerNormEps()));
    }

    /** @param ids int64 (B, N); returns (B, N, hidden) in the manager of {@code ids} */
    public NDArray forward(NDArray ids) {
        long n = ids.getShape().get(1);
        NDArray positions = ids.getManager().arange(0, (int) n, 1, DataType.INT64).reshape(1, n);
        return layerNorm.forward(wordEmbeddings.forward(ids).add(positionEmbeddings.forward(positions)));
    }
}
