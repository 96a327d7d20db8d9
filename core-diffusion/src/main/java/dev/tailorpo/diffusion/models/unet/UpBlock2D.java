package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.models.blocks.Upsample2D;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.List;

/** diffusers' {@code UpBlock2D}: resnets on (input ++ skip), then an optional upsampler. */
public final class UpBlock2D extends UNetUpBlock {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Upsample2D> upsamplers;

    /**
     * @param in channels of the matching down block's input (the last skip's width)
     * @param prevOut channels coming from the block below
     */
    UpBlock2D(UNetConfig c, int reversedIndex, int in, int out, int prevOut, boolean addUpsample) {
        this.resnets = child("resnets", new ModuleList<>());
        int layers = c.layersPerBlock(c.blockOutChannels().size() - 1 - reversedIndex) + 1;
        for (int i = 0; i < layers; i++) {
            int skip = i == layers - 1 ? in : out;
            int resIn = i == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(resIn + skip, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1f));
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
            h = resnets.get(i).forward(h.concat(skip, 1), temb);
        }
        return upsamplers == null ? h : upsamplers.get(0).forward(h, upsampleSize);
    }
}
