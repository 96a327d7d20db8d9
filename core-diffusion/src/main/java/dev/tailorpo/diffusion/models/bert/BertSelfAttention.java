package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * BERT's multi-head attention core ({@code BertSelfAttention}): queries from the hidden states,
 * keys and values from {@code context}, which is the hidden states themselves for self-attention
 * and the image tokens for BLIP's cross-attention (whose keys and values then project from the
 * image width).
 */
public final class BertSelfAttention extends Module {
    private final int heads;
    private final LinearLayer query;
    private final LinearLayer key;
    private final LinearLayer value;

    /** @param contextWidth the width of the states keys and values are read from */
    public BertSelfAttention(int hidden, int contextWidth, int heads) {
        this.heads = heads;
        this.query = child("query", new LinearLayer(hidden, hidden, true));
        this.key = child("key", new LinearLayer(contextWidth, hidden, true));
        this.value = child("value", new LinearLayer(contextWidth, hidden, true));
    }

    /**
     * @param x (B, N, hidden)
     * @param context (B, M, contextWidth)
     * @param additiveMask broadcastable to (B, heads, N, M), or {@code null}
     * @return (B, N, hidden)
     */
    public NDArray forward(NDArray x, NDArray context, NDArray additiveMask) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        long d = x.getShape().get(2);
        NDArray o = F.attention(splitHeads(query.forward(x)), splitHeads(key.forward(context)),
                splitHeads(value.forward(context)), additiveMask);
        return o.transpose(0, 2, 1, 3).reshape(b, n, d);
    }

    /** (B, L, D) -> (B, heads, L, D / heads). */
    private NDArray splitHeads(NDArray t) {
        long b = t.getShape().get(0);
        long l = t.getShape().get(1);
        long d = t.getShape().get(2);
        return t.reshape(b, l, heads, d / heads).transpose(0, 2, 1, 3);
    }
}
