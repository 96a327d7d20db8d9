package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.Attention;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * diffusers' {@code UNetMidBlock2D} as the VAE builds it: resnet, (single-head pixel attention,
 * resnet), with no time embedding and GroupNorm eps 1e-6.
 */
public final class UNetMidBlock2D extends Module {
    private final ModuleList<Attention> attentions;
    private final ModuleList<ResnetBlock2D> resnets;

    UNetMidBlock2D(int channels, int groups, float eps, boolean addAttention) {
        this.attentions = addAttention ? child("attentions", new ModuleList<>()) : null;
        this.resnets = child("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1f));
        if (addAttention) {
            // the VAE passes attention_head_dim = channels: one head as wide as the map
            attentions.add(Attention.spatial(channels, channels, groups, eps, 1f));
        }
        resnets.add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1f));
    }

    public NDArray forward(NDArray x) {
        NDArray h = resnets.get(0).forward(x, null);
        if (attentions != null) {
            h = attentions.get(0).forward(h, null);
        }
        return resnets.get(1).forward(h, null);
    }
}
