package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * A trainable side path added to a {@link LinearLayer}'s output (LoRA). When it is not
 * {@link #active()} the layer computes the base model alone: this is how the reference policy of
 * preference training is the same network with its adapters switched off.
 */
public interface Adapter {

    /** Whether the delta is currently added. */
    boolean active();

    /** The delta for input {@code x} (same shape as the layer's output). */
    NDArray delta(NDArray x);
}
