package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * diffusers' {@code Downsample2D} with {@code use_conv=True}: a 3x3 convolution with stride 2, the
 * weight named {@code conv}. With padding 0 (the VAE encoder) diffusers first pads one zero row
 * and column at the bottom and right, so odd and even sizes halve the same way as with padding 1.
 */
public final class Downsample2D extends Module {
    private final Conv2dLayer conv;
    private final int padding;

    public Downsample2D(int channels, int outChannels, int padding) {
        this.conv = child("conv", new Conv2dLayer(channels, outChannels, 3, 2, padding));
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        if (padding == 0) {
            // torch order: (left, right, top, bottom) of the last two axes
            x = x.pad(new Shape(0, 1, 0, 1), 0);
        }
        return conv.forward(x);
    }
}
