package dev.tailorpo.diffusion.models.blip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * BLIP's ViT self-attention: one fused {@code qkv} projection with bias (its output rows are q, k
 * and v, each split into heads), softmax(q k^T / sqrt(head width)) v, then {@code proj}.
 */
public final class BlipVitAttention extends Module {
    private final int heads;
    private final LinearLayer qkv;
    private final LinearLayer proj;

    public BlipVitAttention(int width, int heads) {
        this.heads = heads;
        this.qkv = child("qkv", new LinearLayer(width, 3L * width, true));
        this.proj = child("proj", new LinearLayer(width, width, true));
    }

    /** (B, N, D) -> (B, N, D). */
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        long d = x.getShape().get(2);
        // (B, N, 3D) -> (3, B, heads, N, D / heads): q, k and v along the first axis
        NDArray packed = qkv.forward(x).reshape(b, n, 3, heads, d / heads).transpose(2, 0, 3, 1, 4);
        NDArray o = F.attention(packed.get(0), packed.get(1), packed.get(2), null);
        return proj.forward(o.transpose(0, 2, 1, 3).reshape(b, n, d));
    }
}
