package dev.tailorpo.diffusion.io;

import dev.tailorpo.api.ModelFormatException;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, size, stride,
 * all in elements) into a storage. Element {@code (i0, i1, ...)} lives at storage index
 * {@code offset + i0*stride[0] + i1*stride[1] + ...}.
 */
record TorchTensorRef(TorchStorageRef storage, long offset, long[] size, long[] stride) {

    /** Tensors of more dimensions than this are refused (torch itself caps at 64). */
    static final int MAX_RANK = 64;

    long numel() {
        long n = 1;
        for (long d : size) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The largest storage index the view touches; only meaningful when {@code numel() > 0}. */
    long lastIndex() {
        long last = offset;
        for (int i = 0; i < size.length; i++) {
            last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
        }
        return last;
    }

    /** Row-major contiguous (strides of dimensions of size 1 do not matter, as in torch). */
    boolean isContiguous() {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    /**
     * Checks that the view stays inside its storage, so that a crafted file can make the loader
     * neither read outside the entry nor overflow index arithmetic.
     */
    void validate(String key, String file) {
        String where = "tensor '" + key + "' in " + file;
        if (size.length != stride.length || size.length > MAX_RANK) {
            throw new ModelFormatException(where + " has size " + Arrays.toString(size) + " but stride "
                    + Arrays.toString(stride));
        }
        if (offset < 0 || Arrays.stream(size).anyMatch(d -> d < 0) || Arrays.stream(stride).anyMatch(s -> s < 0)) {
            throw new ModelFormatException(where + " has a negative offset, size or stride (offset " + offset
                    + ", size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ")");
        }
        try {
            if (numel() == 0) {
                return;
            }
            long last = lastIndex();
            if (last >= storage.numel()) {
                throw new ModelFormatException(where + " (offset " + offset + ", size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride) + ") reaches element " + last + " but its storage '"
                        + storage.key() + "' holds only " + storage.numel() + " elements");
            }
        } catch (ArithmeticException e) {
            throw new ModelFormatException(where + " has a size/stride whose extent overflows (size "
                    + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchTensorRef t && storage.equals(t.storage) && offset == t.offset
                && Arrays.equals(size, t.size) && Arrays.equals(stride, t.stride);
    }

    @Override
    public int hashCode() {
        return storage.hashCode() * 31 + Arrays.hashCode(size);
    }

    @Override
    public String toString() {
        return "tensor(storage " + storage.key() + ", offset " + offset + ", size " + Arrays.toString(size)
                + ", stride " + Arrays.toString(stride) + ")";
    }
}
