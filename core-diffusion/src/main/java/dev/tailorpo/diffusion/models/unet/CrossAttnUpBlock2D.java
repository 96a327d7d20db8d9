package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.models.blocks.Transformer2DModel;
import dev.tailorpo.diffusion.models.blocks.Upsample2D;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.List;

/** diffusers' {@code CrossAttnUpBlock2D}: (resnet on input ++ skip, transformer) pairs, then an optional upsampler. */
public final class CrossAttnUpBlock2D extends UNetUpBlock {
    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Upsample2D> upsamplers;

    /**
     * @param in channels of the matching down block's input (the last skip's width)
     * @param prevOut channels coming from the block below
     */
    CrossAttnUpBlock2D(UNetConfig c, int reversedIndex, int in, int out, int prevOut, boolean addUpsample) {
        this.attentions = child("attentions", new ModuleList<>());
        this.resnets = child("resnets", new ModuleList<>());
        int downIndex = c.blockOutChannels().size() - 1 - reversedIndex;
        int layers = c.layersPerBlock(downIndex) + 1;
        int heads = c.heads(downIndex);
        for (int i = 0; i < layers; i++) {
            int skip = i == layers - 1 ? in : out;
            int resIn = i == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(resIn + skip, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1f));
            attentions.add(new Transformer2DModel(heads, out / heads, out, c.transformerLayersPerBlock(downIndex),
                    c.crossAttentionDim(), c.normNumGroups(), c.useLinearProjection()));
        }
        this.upsamplers = addUpsample ? child("upsamplers", new ModuleList<>()) : null;
        if (addUpsample) {
            upsamplers.add(new Upsample2D(out, out));
        }
    }

    @Override
    public int numResnets() {
        return resnets.size();
    }

    @Override
    public NDArray forward(NDArray x, List<NDArray> skips, NDArray temb, NDArray context, long[] upsampleSize) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            NDArray skip = skips.get(skips.size() - 1 - i);
            h = attentions.get(i).forward(resnets.get(i).forward(h.concat(skip, 1), temb), context);
        }
        return upsamplers == null ? h : upsamplers.get(0).forward(h, upsampleSize);
    }
}
