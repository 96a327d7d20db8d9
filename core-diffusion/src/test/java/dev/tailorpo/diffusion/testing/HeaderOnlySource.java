package dev.tailorpo.diffusion.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.io.TensorSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A state dict of names and shapes only (from a key table such as a fixture's
 * {@code real-model-keys.json}), for checking that a model built at real size accepts exactly a
 * real checkpoint's keys without any weights. Loading a tensor fails.
 */
public final class HeaderOnlySource implements TensorSource {
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    private final String name;

    public HeaderOnlySource(String name) {
        this.name = name;
    }

    /** Adds a tensor; {@code dtype} as safetensors names it (F32, I64, ...). */
    public HeaderOnlySource put(String key, String dtype, long... shape) {
        tensors.put(key, new TensorInfo(key, dtype, shape));
        return this;
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public TensorInfo info(String key) {
        TensorInfo info = tensors.get(key);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + key + "' in " + name);
        }
        return info;
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        throw new UnsupportedOperationException(name + " holds no data");
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {}
}
