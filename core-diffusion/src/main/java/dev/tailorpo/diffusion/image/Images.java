package dev.tailorpo.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;

/** Checks shared by the image processors. */
public final class Images {
    private Images() {}

    /**
     * Requires a (B, 3, H, W) float32 batch.
     *
     * @param who the preprocessing, for the message
     * @return its shape
     * @throws InvalidInputException naming the shape or type at fault
     */
    public static Shape requireRgbFloat32(NDArray images, String who) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) <= 0 || s.get(3) <= 0) {
            throw new InvalidInputException(who + " wants (batch, 3, height, width) RGB images, got shape " + s);
        }
        if (images.getDataType() != DataType.FLOAT32) {
            // converting here would cut the autograd graph (DJL's toType is not differentiable)
            throw new InvalidInputException(who + " wants float32 images, got " + images.getDataType());
        }
        return s;
    }

    /** Requires per-channel statistics: three finite values, std positive. */
    public static void requireChannelStats(float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 (RGB) values, got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("channel " + c + ": mean " + mean[c] + ", std " + std[c] + " (std must be positive, both finite)");
            }
        }
    }
}
