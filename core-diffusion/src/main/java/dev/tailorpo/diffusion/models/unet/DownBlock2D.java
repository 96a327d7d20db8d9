package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.Downsample2D;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.ArrayList;
import java.util.List;

/** diffusers' {@code DownBlock2D}: resnets without attention, then an optional downsampler. */
public final class DownBlock2D extends UNetDownBlock {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Downsample2D> downsamplers;

    DownBlock2D(UNetConfig c, int index, int in, int out, boolean addDownsample) {
        this.resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < c.layersPerBlock(index); i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1f));
        }
        this.downsamplers = addDownsample ? child("downsamplers", new ModuleList<>()) : null;
        if (addDownsample) {
            downsamplers.add(new Downsample2D(out, out, c.downsamplePadding()));
        }
    }

    @Override
    public Output forward(NDArray x, NDArray temb, NDArray context) {
        List<NDArray> skips = new ArrayList<>();
        NDArray h = x;
        for (ResnetBlock2D resnet : resnets) {
            h = resnet.forward(h, temb);
            skips.add(h);
        }
        if (downsamplers != null) {
            h = downsamplers.get(0).forward(h);
            skips.add(h);
        }
        return new Output(h, skips);
    }
}
