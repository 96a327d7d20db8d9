package dev.tailorpo.api.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplying or dividing a tensor by a Java number in a way that is safe for autograd.
 *
 * <p>Why this exists: DJL 0.36's PyTorch {@code NDArray.mul(Number)} (and {@code div}, {@code pow},
 * and {@code Activation.swish}, which use them) turns the number into a 0-d tensor that wraps a Java
 * direct buffer without copying it ({@code torch::from_blob}), applies the op, and closes that
 * tensor at once. The op saves the scalar for its backward pass; once the Java buffer is garbage
 * collected, the backward reads freed memory. Measured here: 164 of 200 gradients of
 * {@code x.mul(3f)} came out wrong when a GC ran between forward and backward, and shapes-world
 * pretraining diverged to NaN at random steps. The scalars made here are allocated by libtorch
 * ({@code full}), so the graph's reference keeps them alive whatever Java does.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * value}, with a libtorch-owned scalar. */
    public static NDArray mul(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.mul(s);
        }
    }

    /** {@code x / value}, with a libtorch-owned scalar. */
    public static NDArray div(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.div(s);
        }
    }

    /** A 0-d tensor of x's type on x's device, allocated by the engine (not wrapping Java memory). */
    public static NDArray scalar(NDArray x, double value) {
        return x.getManager().full(new Shape(), (float) value, x.getDataType(), x.getDevice());
    }
}
