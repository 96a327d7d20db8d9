package dev.tailorpo.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torchvision's {@code Normalize}: {@code (x - mean[c]) / std[c]} per channel, differentiable. */
public final class Normalize {
    private Normalize() {}

    /**
     * @param images (B, C, H, W) with C = {@code mean.length} = {@code std.length}
     * @return the normalised images, in their manager (the ops are called on them; mean and std are
     *     tensor constants beside them, never Java numbers, which autograd must not hold)
     */
    public static NDArray apply(NDArray images, float[] mean, float[] std) {
        return images.sub(channelConstant(images, mean)).div(channelConstant(images, std));
    }

    /** A (1, C, 1, 1) constant in the manager and on the device of {@code like}. */
    private static NDArray channelConstant(NDArray like, float[] values) {
        return like.getManager().create(values, new Shape(1, values.length, 1, 1)).toDevice(like.getDevice(), false);
    }
}
