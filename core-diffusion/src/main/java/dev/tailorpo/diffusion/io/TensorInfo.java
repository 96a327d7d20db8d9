package dev.tailorpo.diffusion.io;

import java.util.Arrays;

/**
 * A tensor's name, stored element type and shape, as read from a file header (no data loaded).
 *
 * @param name the state-dict key
 * @param dtype the stored type as safetensors names it ({@code F32}, {@code F16}, {@code BF16}, ...)
 * @param shape the dimensions
 */
public record TensorInfo(String name, String dtype, long[] shape) {
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
