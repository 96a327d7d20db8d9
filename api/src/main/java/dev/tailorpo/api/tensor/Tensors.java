package dev.tailorpo.api.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Tensor list operations that keep the autograd graph.
 *
 * <p>Why this exists: DJL 0.36's {@code NDArrays.concat} returns {@code duplicate()} of the only
 * element of a one-element list, and the PyTorch engine's duplicate is a detached copy. A loss
 * built that way has no graph and {@code backward} fails with "element 0 of tensors does not
 * require grad" (measured here: a preference step whose minibatch held pairs of a single step index).
 */
public final class Tensors {
    private Tensors() {}

    /** Concatenation along {@code axis}; a single array is returned as it is, graph and all. */
    public static NDArray concat(NDList arrays, int axis) {
        if (arrays.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        if (arrays.size() == 1) {
            return arrays.get(0);
        }
        return NDArrays.concat(arrays, axis);
    }
}
