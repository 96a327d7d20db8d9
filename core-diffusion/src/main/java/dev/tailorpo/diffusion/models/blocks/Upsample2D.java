package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.Module;

/** diffusers' {@code Upsample2D} with {@code use_conv=True}: nearest-neighbour 2x, then a 3x3 {@code conv}. */
public final class Upsample2D extends Module {
    private final Conv2dLayer conv;

    public Upsample2D(int channels, int outChannels) {
        this.conv = child("conv", Conv2dLayer.same(channels, outChannels, 3));
    }

    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /**
     * @param size the (H, W) to upsample to instead of 2x, as the UNet passes when the input size
     *     is not a multiple of its overall downsampling factor (then a skip connection is smaller
     *     than twice the current map); null for 2x
     */
    public NDArray forward(NDArray x, long[] size) {
        return conv.forward(size == null ? F.upsampleNearest2x(x) : F.upsampleNearest(x, size));
    }
}
