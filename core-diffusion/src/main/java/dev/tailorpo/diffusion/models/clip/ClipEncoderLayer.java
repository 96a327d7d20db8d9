package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;

/** transformers' {@code CLIPEncoderLayer}: a pre-LayerNorm transformer block. */
public final class ClipEncoderLayer extends Module {
    private final ClipAttention selfAttn;
    private final LayerNormLayer layerNorm1;
    private final ClipMlp mlp;
    private final LayerNormLayer layerNorm2;

    public ClipEncoderLayer(int dim, int heads, int intermediate, ClipActivation activation, float eps) {
        this.selfAttn = child("self_attn", new ClipAttention(dim, heads));
        this.layerNorm1 = child("layer_norm1", new LayerNormLayer(dim, eps));
        this.mlp = child("mlp", new ClipMlp(dim, intermediate, activation));
        this.layerNorm2 = child("layer_norm2", new LayerNormLayer(dim, eps));
    }

    /** @param additiveMask see {@link ClipAttention#forward} */
    public NDArray forward(NDArray x, NDArray additiveMask) {
        // temporaries are freed when the layer returns (see F.scoped)
        return F.scoped(x, in -> {
            NDArray h = in.add(selfAttn.forward(layerNorm1.forward(in), additiveMask));
            return h.add(mlp.forward(layerNorm2.forward(h)));
        });
    }
}
