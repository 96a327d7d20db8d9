package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.models.blocks.Upsample2D;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/** diffusers' {@code UpDecoderBlock2D}: resnets without time embedding or skips, then an optional 2x upsampler. */
public final class UpDecoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Upsample2D> upsamplers;

    UpDecoderBlock2D(int layers, int in, int out, int groups, float eps, boolean addUpsample) {
        this.resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, 0, groups, eps, 1f));
        }
        this.upsamplers = addUpsample ? child("upsamplers", new ModuleList<>()) : null;
        if (addUpsample) {
            upsamplers.add(new Upsample2D(out, out));
        }
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = r.forward(h, null);
        }
        return upsamplers == null ? h : upsamplers.get(0).forward(h);
    }
}
