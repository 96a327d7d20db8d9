package dev.tailorpo.diffusion.io;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Copies a strided view of stored elements into a row-major float32 buffer, widening the element
 * type on the way. The view's strides are checked against its storage beforehand
 * ({@link TorchTensorRef#validate}), so every index computed here lies inside {@code src}.
 */
final class StridedGather {
    private StridedGather() {}

    /**
     * @param src the stored elements, element 0 being the view's first (its storage offset)
     * @param size the view's dimensions, each at least 1
     * @param stride the view's strides in elements
     * @param dst receives the {@code prod(size)} values in row-major order, from index 0
     */
    static void gather(ByteBuffer src, TorchDType dtype, long[] size, long[] stride, FloatBuffer dst) {
        int rank = size.length;
        if (rank == 0) {
            dst.put(0, dtype.read(src, 0));
            return;
        }
        // walk the outer dimensions with an odometer and copy the innermost run in a tight loop
        int inner = rank - 1;
        int innerSize = Math.toIntExact(size[inner]);
        long innerStride = stride[inner];
        long[] index = new long[rank];
        long base = 0;
        int out = 0;
        while (true) {
            for (int j = 0; j < innerSize; j++) {
                dst.put(out++, dtype.read(src, (int) (base + j * innerStride)));
            }
            int d = inner - 1;
            while (d >= 0) {
                index[d]++;
                base += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                base -= stride[d] * size[d];
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }
}
