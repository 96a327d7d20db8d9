package dev.tailorpo.diffusion.models.blip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * One pre-norm block of BLIP's ViT: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))},
 * the MLP being {@code fc2(gelu(fc1(x)))} with the exact (erf) GELU. Drop-path is the identity at
 * inference.
 */
public final class BlipVitBlock extends Module {
    private final LayerNormLayer norm1;
    private final BlipVitAttention attn;
    private final LayerNormLayer norm2;
    private final Mlp mlp;

    /** timm's {@code Mlp}: children {@code fc1} and {@code fc2}. */
    private static final class Mlp extends Module {
        private final LinearLayer fc1;
        private final LinearLayer fc2;

        Mlp(int width, int hidden) {
            this.fc1 = child("fc1", new LinearLayer(width, hidden, true));
            this.fc2 = child("fc2", new LinearLayer(hidden, width, true));
        }

        NDArray forward(NDArray x) {
            return fc2.forward(F.gelu(fc1.forward(x)));
        }
    }

    public BlipVitBlock(BlipVisionConfig c) {
        float eps = (float) c.layerNormEps();
        this.norm1 = child("norm1", new LayerNormLayer(c.width(), eps));
        this.attn = child("attn", new BlipVitAttention(c.width(), c.heads()));
        this.norm2 = child("norm2", new LayerNormLayer(c.width(), eps));
        this.mlp = child("mlp", new Mlp(c.width(), c.mlpHidden()));
    }

    /** Temporaries are freed when the block returns (see {@link F#scoped}). */
    public NDArray forward(NDArray x) {
        return F.scoped(x, in -> {
            NDArray h = in.add(attn.forward(norm1.forward(in)));
            return h.add(mlp.forward(norm2.forward(h)));
        });
    }
}
