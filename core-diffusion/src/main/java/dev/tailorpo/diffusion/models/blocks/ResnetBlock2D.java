package dev.tailorpo.diffusion.models.blocks;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * diffusers' {@code ResnetBlock2D} with the SD defaults (pre-norm, SiLU, "default" time-embedding
 * norm, i.e. the projected embedding is added between the two convolutions):
 * {@code (shortcut(x) + conv2(silu(norm2(conv1(silu(norm1(x))) + proj(silu(temb)))))) / scale}.
 * The VAE's blocks have no time embedding ({@code tembChannels == 0}, no {@code time_emb_proj}).
 */
public final class ResnetBlock2D extends Module {
    private final GroupNormLayer norm1;
    private final Conv2dLayer conv1;
    private final LinearLayer timeEmbProj;
    private final GroupNormLayer norm2;
    private final Conv2dLayer conv2;
    private final Conv2dLayer convShortcut;
    private final float outputScaleFactor;

    /**
     * @param tembChannels width of the time embedding, or 0 for a block without one (VAE)
     * @param groups GroupNorm groups of both norms
     * @param eps GroupNorm epsilon
     * @param outputScaleFactor the sum is divided by it (1 everywhere in SD)
     */
    public ResnetBlock2D(int in, int out, int tembChannels, int groups, float eps, float outputScaleFactor) {
        this.norm1 = child("norm1", new GroupNormLayer(groups, in, eps));
        this.conv1 = child("conv1", Conv2dLayer.same(in, out, 3));
        this.timeEmbProj = tembChannels > 0 ? child("time_emb_proj", new LinearLayer(tembChannels, out, true)) : null;
        this.norm2 = child("norm2", new GroupNormLayer(groups, out, eps));
        this.conv2 = child("conv2", Conv2dLayer.same(out, out, 3));
        // diffusers adds a 1x1 projection exactly when the channel count changes
        this.convShortcut = in != out ? child("conv_shortcut", new Conv2dLayer(in, out, 1, 1, 0)) : null;
        this.outputScaleFactor = outputScaleFactor;
    }

    /**
     * @param x (B, in, H, W)
     * @param temb (B, tembChannels), or null for a block built without a time embedding
     */
    public NDArray forward(NDArray x, NDArray temb) {
        // temporaries no backward needs (convolution outputs fed to additions, ...) are freed on return
        return F.scoped(x, in -> residual(in, temb));
    }

    private NDArray residual(NDArray x, NDArray temb) {
        NDArray h = conv1.forward(F.silu(norm1.forward(x)));
        if (timeEmbProj != null) {
            if (temb == null) {
                throw new IllegalArgumentException("this ResnetBlock2D needs a time embedding");
            }
            NDArray t = timeEmbProj.forward(F.silu(temb));
            h = h.add(t.expandDims(2).expandDims(3));
        }
        h = conv2.forward(F.silu(norm2.forward(h)));
        NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
        NDArray y = h.add(shortcut);
        // skip the division when it is the identity: one op less per block, bit-identical result
        return outputScaleFactor == 1f ? y : Scalars.div(y, outputScaleFactor);
    }
}
