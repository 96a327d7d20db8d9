package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code nn.Dropout} as a placeholder: it has no parameters but occupies an index in a
 * {@link ModuleList} (diffusers' {@code to_out.1}, {@code ff.net.1}), so that the weights after it
 * keep PyTorch's indices. Only rate 0 is supported (every config this project loads uses it), so
 * the forward pass is the identity in training and inference alike.
 */
public final class Dropout extends Module {

    public Dropout(double rate) {
        if (rate != 0) {
            throw new IllegalArgumentException("dropout rate " + rate + " is not supported (only 0)");
        }
    }

    public NDArray forward(NDArray x) {
        return x;
    }
}
