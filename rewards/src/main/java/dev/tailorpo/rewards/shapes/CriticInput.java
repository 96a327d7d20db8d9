package dev.tailorpo.rewards.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Brings images of any size to a critic's input side, differentiably. */
public final class CriticInput {
    private CriticInput() {}

    /**
     * Bilinear in DJL 0.36's mode numbering for {@code interpolation} (0 nearest, 1 bilinear, 2 area,
     * 3 bicubic). Its PyTorch engine calls {@code F.interpolate(mode='bilinear', align_corners=False,
     * antialias=True)}: downsizing averages over the whole footprint of each output pixel (as PIL and
     * torchvision's antialiased resize do) instead of sampling 4 input pixels, and upsizing is plain
     * bilinear. The op is recorded by autograd, so gradients reach the original pixels.
     */
    static final int BILINEAR = 1;

    /** {@code images} (B, 3, H, W) resized to (B, 3, side, side); returned as is when already that size. */
    public static NDArray resize(NDArray images, int side) {
        Shape s = images.getShape();
        if (s.get(2) == side && s.get(3) == side) {
            return images;
        }
        return images.getNDArrayInternal().interpolation(new long[] {side, side}, BILINEAR, false);
    }
}
