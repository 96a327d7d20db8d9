package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** {@code nn.Embedding}: a lookup table (num, dim) indexed by integer ids. */
public final class EmbeddingLayer extends Module {
    private final Param weight;

    public EmbeddingLayer(long num, long dim) {
        this.weight = param("weight", Init.normal(1.0), num, dim);
    }

    /**
     * Rows for {@code ids} (int64, any shape); the result has shape ids.shape + (dim) and lives in
     * the manager of {@code ids}.
     */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, weight.array(), SparseFormat.DENSE).singletonOrThrow();
    }
}
