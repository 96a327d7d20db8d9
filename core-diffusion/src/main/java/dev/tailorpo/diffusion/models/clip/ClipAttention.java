package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * transformers' {@code CLIPAttention}: multi-head self-attention with biased q/k/v/out
 * projections named {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj} (the LoRA
 * targets of CLIP text encoders). Declared in transformers' order (k, v, q, out) so that
 * {@link #namedParameters()} lists keys in state-dict order.
 */
public final class ClipAttention extends Module {
    private final int heads;
    private final LinearLayer kProj;
    private final LinearLayer vProj;
    private final LinearLayer qProj;
    private final LinearLayer outProj;

    public ClipAttention(int dim, int heads) {
        this.heads = heads;
        this.kProj = child("k_proj", new LinearLayer(dim, dim, true));
        this.vProj = child("v_proj", new LinearLayer(dim, dim, true));
        this.qProj = child("q_proj", new LinearLayer(dim, dim, true));
        this.outProj = child("out_proj", new LinearLayer(dim, dim, true));
    }

    /**
     * @param x (B, N, D)
     * @param additiveMask broadcastable to (B, heads, N, N), or {@code null} for full attention
     */
    public NDArray forward(NDArray x, NDArray additiveMask) {
        Shape s = x.getShape();
        long b = s.get(0);
        long n = s.get(1);
        long d = s.get(2);
        NDArray q = splitHeads(qProj.forward(x), b, n, d);
        NDArray k = splitHeads(kProj.forward(x), b, n, d);
        NDArray v = splitHeads(vProj.forward(x), b, n, d);
        NDArray o = F.attention(q, k, v, additiveMask);
        return outProj.forward(o.transpose(0, 2, 1, 3).reshape(b, n, d));
    }

    /** (B, N, D) -> (B, heads, N, D / heads). */
    private NDArray splitHeads(NDArray t, long b, long n, long d) {
        return t.reshape(b, n, heads, d / heads).transpose(0, 2, 1, 3);
    }
}
