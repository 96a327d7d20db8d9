package dev.tailorpo.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;

/**
 * Differentiable resizing of (B, C, H, W) float32 images as two matrix products with interpolation
 * matrices made in Java from {@link Taps}: {@code y = R x C^T} per image and channel. The products
 * are ordinary autograd ops, so the gradient is {@code R^T g C}, the adjoint torch's
 * {@code interpolate} backward computes with the same weights. The horizontal pass runs first, as
 * in PIL and torch's separable kernels.
 *
 * <p>The results land in the manager of the images (every product is called on the activation;
 * the matrices are constants created in the images' manager, on their device). An axis whose taps
 * are exactly the identity is not multiplied at all. Because every input pixel of a line takes part
 * in the product (with weight 0 where it is no tap), a non-finite pixel spreads along its row and
 * column, where torch's kernels would confine it to its taps.
 */
public final class Resize {
    private Resize() {}

    /**
     * Resizes to (height, width) with {@code kernel}.
     *
     * @param images (B, C, H, W) float32
     */
    public static NDArray resize(NDArray images, int height, int width, Kernel kernel) {
        Shape s = checkImages(images);
        return resample(images, kernel.taps((int) s.get(2), height), kernel.taps((int) s.get(3), width));
    }

    /**
     * Resamples the rows with {@code rows} and the columns with {@code columns} (which may fold a
     * crop or a padding into the resize, see {@link Taps#crop} and {@link Taps#pad}).
     *
     * @param images (B, C, H, W) float32 with H = {@code rows.inputSize()}, W = {@code columns.inputSize()}
     * @return (B, C, rows.outputSize(), columns.outputSize()), in the manager of {@code images}
     */
    public static NDArray resample(NDArray images, Taps rows, Taps columns) {
        Shape s = checkImages(images);
        if (s.get(2) != rows.inputSize() || s.get(3) != columns.inputSize()) {
            throw new IllegalArgumentException("taps for " + rows.inputSize() + "x" + columns.inputSize() + " images, got " + s);
        }
        NDArray x = images;
        if (!columns.isIdentity()) {
            x = x.matMul(transposedMatrix(x, columns));                       // (B, C, H, w)
        }
        if (!rows.isIdentity()) {
            x = x.swapAxes(2, 3).matMul(transposedMatrix(x, rows)).swapAxes(2, 3);  // (B, C, h, w)
        }
        return x;
    }

    /** C^T as a (in, out) float32 constant beside {@code like}. */
    private static NDArray transposedMatrix(NDArray like, Taps taps) {
        int in = taps.inputSize();
        int out = taps.outputSize();
        double[] m = taps.matrix();
        float[] t = new float[in * out];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < in; k++) {
                t[k * out + i] = (float) m[i * in + k];
            }
        }
        return like.getManager().create(t, new Shape(in, out)).toDevice(like.getDevice(), false);
    }

    private static Shape checkImages(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4) {
            throw new InvalidInputException("resizing wants (batch, channels, height, width) images, got " + s);
        }
        if (images.getDataType() != DataType.FLOAT32) {
            // converting here would cut the autograd graph (DJL's toType is not differentiable)
            throw new InvalidInputException("resizing wants float32 images, got " + images.getDataType());
        }
        return s;
    }
}
