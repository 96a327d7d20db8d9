package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Set;

/**
 * A state dict on disk (a safetensors file, a PyTorch checkpoint) or in memory: names and shapes
 * are known without reading the data, and each tensor is loaded on demand, so that a multi-GB file
 * never has to sit in the Java heap.
 */
public interface TensorSource extends AutoCloseable {

    /** Every tensor name, in file order where the format has one. */
    Set<String> keys();

    /** The header of one tensor; fails naming the key when it is absent. */
    TensorInfo info(String key);

    /**
     * Loads one tensor into {@code manager}: floating-point weights as float32 (F16 and BF16 are
     * widened; a format may keep float64), integer and boolean tensors as their own type.
     */
    NDArray load(String key, NDManager manager);

    /** A short description of where the tensors come from, used in error messages. */
    String describe();

    @Override
    void close();
}
