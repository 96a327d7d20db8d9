package dev.tailorpo.diffusion.models.blocks;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.Dropout;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * diffusers' {@code Attention} with its default processor: multi-head scaled dot-product attention
 * over tokens, projections named {@code to_q}, {@code to_k}, {@code to_v} and {@code to_out.0}
 * ({@code to_out.1} is a dropout). Two variants occur in SD:
 *
 * <ul>
 *   <li>{@link #transformer}: inside a {@code BasicTransformerBlock}, self-attention or
 *       cross-attention to the text encoder's states, q/k/v without bias; the caller adds the
 *       residual.
 *   <li>{@link #spatial}: the VAE mid-block's attention over the pixels of a (B, C, H, W) map, with a
 *       {@code group_norm} before the projections, biases on q/k/v, and the residual added here
 *       (diffusers' {@code residual_connection=True}).
 * </ul>
 *
 * {@code upcast_attention}/{@code upcast_softmax} only matter in half precision; everything here
 * runs in float32, so they need no code.
 */
public final class Attention extends Module {
    private final GroupNormLayer groupNorm;
    private final LinearLayer toQ;
    private final LinearLayer toK;
    private final LinearLayer toV;
    private final LinearLayer toOut;
    private final int heads;
    private final boolean residualConnection;
    private final float rescaleOutputFactor;

    private Attention(int queryDim, int contextDim, int heads, int dimHead, boolean qkvBias,
                      GroupNormLayer groupNorm, boolean residualConnection, float rescaleOutputFactor) {
        int inner = heads * dimHead;
        this.groupNorm = groupNorm == null ? null : child("group_norm", groupNorm);
        this.toQ = child("to_q", new LinearLayer(queryDim, inner, qkvBias));
        this.toK = child("to_k", new LinearLayer(contextDim, inner, qkvBias));
        this.toV = child("to_v", new LinearLayer(contextDim, inner, qkvBias));
        ModuleList<Module> out = child("to_out", new ModuleList<>());
        this.toOut = (LinearLayer) out.add(new LinearLayer(inner, queryDim, true));
        out.add(new Dropout(0));
        this.heads = heads;
        this.residualConnection = residualConnection;
        this.rescaleOutputFactor = rescaleOutputFactor;
    }

    /**
     * The attention of a transformer block.
     *
     * @param crossAttentionDim width of the context tokens, or 0 for self-attention
     */
    public static Attention transformer(int queryDim, int crossAttentionDim, int heads, int dimHead) {
        return new Attention(queryDim, crossAttentionDim > 0 ? crossAttentionDim : queryDim, heads, dimHead,
                false, null, false, 1f);
    }

    /**
     * The VAE's self-attention over pixels: {@code channels / headDim} heads (one head in SD's VAE,
     * whose head width is the channel count).
     */
    public static Attention spatial(int channels, int headDim, int groups, float eps, float rescaleOutputFactor) {
        return new Attention(channels, channels, channels / headDim, headDim, true,
                new GroupNormLayer(groups, channels, eps), true, rescaleOutputFactor);
    }

    /**
     * @param x (B, N, queryDim) tokens, or a (B, C, H, W) map whose pixels are the tokens
     * @param context (B, M, contextDim) tokens to attend to, or null for self-attention
     * @return the same shape as {@code x}
     */
    public NDArray forward(NDArray x, NDArray context) {
        // temporaries (the scores before the softmax, the head-split copies) are freed on return
        return F.scoped(x, in -> attend(in, context));
    }

    private NDArray attend(NDArray x, NDArray context) {
        Shape in = x.getShape();
        NDArray residual = x;
        NDArray h = x;
        if (in.dimension() == 4) {
            h = h.reshape(in.get(0), in.get(1), in.get(2) * in.get(3));   // (B, C, HW)
            if (groupNorm != null) {
                h = groupNorm.forward(h);
            }
            h = h.swapAxes(1, 2);                                         // (B, HW, C)
        } else if (groupNorm != null) {
            h = groupNorm.forward(h.swapAxes(1, 2)).swapAxes(1, 2);
        }
        // a view of the context in this block's manager, so that its projections are freed with it
        NDArray kv = context == null ? h : F.viewIn(context, context.getShape(), h.getManager());
        NDArray q = splitHeads(toQ.forward(h));
        NDArray k = splitHeads(toK.forward(kv));
        NDArray v = splitHeads(toV.forward(kv));
        NDArray o = toOut.forward(mergeHeads(F.attention(q, k, v, null)));
        if (in.dimension() == 4) {
            o = o.swapAxes(1, 2).reshape(in);
        }
        if (residualConnection) {
            o = o.add(residual);
        }
        return rescaleOutputFactor == 1f ? o : Scalars.div(o, rescaleOutputFactor);
    }

    /** (B, N, heads * d) to (B, heads, N, d). */
    private NDArray splitHeads(NDArray t) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** (B, heads, N, d) to (B, N, heads * d). */
    private static NDArray mergeHeads(NDArray t) {
        Shape s = t.getShape();
        return t.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}
