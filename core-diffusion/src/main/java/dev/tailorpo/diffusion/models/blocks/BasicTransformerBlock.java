package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * diffusers' {@code BasicTransformerBlock} as SD uses it (layer_norm type, eps 1e-5): pre-norm
 * self-attention ({@code norm1}/{@code attn1}), cross-attention to the text states
 * ({@code norm2}/{@code attn2}) and a GEGLU feed-forward ({@code norm3}/{@code ff}), each added to
 * its input.
 */
public final class BasicTransformerBlock extends Module {
    private static final float NORM_EPS = 1e-5f;

    private final LayerNormLayer norm1;
    private final Attention attn1;
    private final LayerNormLayer norm2;
    private final Attention attn2;
    private final LayerNormLayer norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(int dim, int heads, int headDim, int crossAttentionDim) {
        this.norm1 = child("norm1", new LayerNormLayer(dim, NORM_EPS));
        this.attn1 = child("attn1", Attention.transformer(dim, 0, heads, headDim));
        this.norm2 = child("norm2", new LayerNormLayer(dim, NORM_EPS));
        this.attn2 = child("attn2", Attention.transformer(dim, crossAttentionDim, heads, headDim));
        this.norm3 = child("norm3", new LayerNormLayer(dim, NORM_EPS));
        this.ff = child("ff", new FeedForward(dim));
    }

    /**
     * @param x (B, N, dim) tokens
     * @param context (B, M, crossAttentionDim) text states
     */
    public NDArray forward(NDArray x, NDArray context) {
        // temporaries are freed on return (see F.scoped)
        return F.scoped(x, in -> {
            NDArray h = attn1.forward(norm1.forward(in), null).add(in);
            h = attn2.forward(norm2.forward(h), context).add(h);
            return ff.forward(norm3.forward(h)).add(h);
        });
    }
}
