package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tailorpo.diffusion.nn.EmbeddingLayer;
import dev.tailorpo.diffusion.nn.Module;

/** transformers' {@code CLIPTextEmbeddings}: token plus learned absolute position embedding. */
public final class ClipTextEmbeddings extends Module {
    private final EmbeddingLayer tokenEmbedding;
    private final EmbeddingLayer positionEmbedding;

    public ClipTextEmbeddings(int vocabSize, int maxPositions, int dim) {
        this.tokenEmbedding = child("token_embedding", new EmbeddingLayer(vocabSize, dim));
        this.positionEmbedding = child("position_embedding", new EmbeddingLayer(maxPositions, dim));
    }

    /** @param ids int64 (B, N), N at most the number of positions */
    public NDArray forward(NDArray ids) {
        long n = ids.getShape().get(1);
        // position ids 0..N-1 made in the ids' manager, so the lookup's result lands there too
        NDArray positions = ids.getManager().arange(0, (int) n, 1, DataType.INT64).reshape(1, n);
        return tokenEmbedding.forward(ids).add(positionEmbedding.forward(positions));
    }
}
