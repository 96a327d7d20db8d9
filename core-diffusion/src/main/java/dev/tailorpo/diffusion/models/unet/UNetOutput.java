package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The UNet's prediction together with named intermediate activations, for locating a parity
 * mismatch: {@code conv_in}, {@code time_embedding}, {@code down_blocks.N}, {@code mid_block},
 * {@code up_blocks.N} (each block's output), as the sd-tiny fixture names them after
 * {@code intermediate.}, in forward order.
 */
public record UNetOutput(NDArray sample, Map<String, NDArray> intermediates) {
    public UNetOutput {
        intermediates = Collections.unmodifiableMap(new LinkedHashMap<>(intermediates));   // keeps forward order
    }
}
