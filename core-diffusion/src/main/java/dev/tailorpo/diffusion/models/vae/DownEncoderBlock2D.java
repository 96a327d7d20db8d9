package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.Downsample2D;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * diffusers' {@code DownEncoderBlock2D}: resnets without time embedding, then a downsampler with
 * padding 0 (pad bottom/right, stride-2 conv), as the VAE encoder configures it.
 */
public final class DownEncoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Downsample2D> downsamplers;

    DownEncoderBlock2D(int layers, int in, int out, int groups, float eps, boolean addDownsample) {
        this.resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, 0, groups, eps, 1f));
        }
        this.downsamplers = addDownsample ? child("downsamplers", new ModuleList<>()) : null;
        if (addDownsample) {
            downsamplers.add(new Downsample2D(out, out, 0));
        }
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = r.forward(h, null);
        }
        return downsamplers == null ? h : downsamplers.get(0).forward(h);
    }
}
