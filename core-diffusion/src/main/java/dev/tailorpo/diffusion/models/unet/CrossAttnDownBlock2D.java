package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.Downsample2D;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.models.blocks.Transformer2DModel;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code CrossAttnDownBlock2D}: (resnet, transformer) pairs, then an optional stride-2
 * downsampler; every pair's output and the downsampler's output are skip states.
 */
public final class CrossAttnDownBlock2D extends UNetDownBlock {
    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Downsample2D> downsamplers;

    CrossAttnDownBlock2D(UNetConfig c, int index, int in, int out, boolean addDownsample) {
        // diffusers registers attentions before resnets: the state-dict order follows
        this.attentions = child("attentions", new ModuleList<>());
        this.resnets = child("resnets", new ModuleList<>());
        int heads = c.heads(index);
        for (int i = 0; i < c.layersPerBlock(index); i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1f));
            attentions.add(new Transformer2DModel(heads, out / heads, out, c.transformerLayersPerBlock(index),
                    c.crossAttentionDim(), c.normNumGroups(), c.useLinearProjection()));
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
        for (int i = 0; i < resnets.size(); i++) {
            h = attentions.get(i).forward(resnets.get(i).forward(h, temb), context);
            skips.add(h);
        }
        if (downsamplers != null) {
            h = downsamplers.get(0).forward(h);
            skips.add(h);
        }
        return new Output(h, skips);
    }
}
