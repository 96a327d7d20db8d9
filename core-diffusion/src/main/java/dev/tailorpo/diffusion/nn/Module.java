package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.io.TensorSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A tree of named parameters and sub-modules, named exactly like the PyTorch module it mirrors
 * ({@code down_blocks.0.resnets.1.conv1.weight}), so that a diffusers or transformers state dict
 * loads by name with no key mapping. Forward methods are ordinary Java methods of each subclass with
 * the arguments they need, as in PyTorch.
 *
 * <p>Memory rule for forward code: DJL puts the result of an op into the manager of its first
 * operand, so every op is called on the activation ({@code x.mul(weight)}, never
 * {@code weight.mul(x)}). Activations then live wherever the caller put the input, typically a
 * per-step sub-manager, and the model's own manager never grows.
 */
public abstract class Module {
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** Declares a parameter; its array is allocated later by {@link #initialize} or {@link #load}. */
    protected final Param param(String name, Init init, long... shape) {
        Param p = new Param(name, new Shape(shape), init);
        if (params.putIfAbsent(name, p) != null || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        return p;
    }

    /** Declares a sub-module under {@code name}. */
    protected final <M extends Module> M child(String name, M module) {
        if (children.putIfAbsent(name, module) != null || params.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        return module;
    }

    /** The direct sub-modules by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of the tree under its dotted path, in declaration order. */
    public final Map<String, Param> namedParameters() {
        Map<String, Param> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Param> out) {
        params.forEach((k, p) -> out.put(prefix + k, p));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    /** Visits this module and every descendant, depth first. */
    public final void visit(Consumer<Module> visitor) {
        visitor.accept(this);
        children.values().forEach(c -> c.visit(visitor));
    }

    /** The total number of scalar weights. */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /**
     * Allocates every parameter in {@code manager} with its initialiser. The values depend only on
     * {@code seed} and the parameter's path.
     */
    public final void initialize(NDManager manager, long seed) {
        for (Map.Entry<String, Param> e : namedParameters().entrySet()) {
            Param p = e.getValue();
            long size = p.shape().size();
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " is too large to initialise in Java");
            }
            float[] values = new float[(int) size];
            p.init().fill(values, new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ e.getKey().hashCode()));
            p.set(manager.create(values, p.shape()));
        }
    }

    /**
     * Checks that {@code source} holds exactly this module's parameters under {@code prefix} with
     * the same shapes, without loading any data. Fails with the full list of missing, unexpected and
     * mis-shaped keys.
     *
     * @param ignoredKeys keys (after the prefix) that may be present without a parameter, e.g.
     *     {@code position_ids} buffers
     */
    public final void checkCompatible(TensorSource source, String prefix, Set<String> ignoredKeys) {
        Map<String, Param> mine = namedParameters();
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        Set<String> unexpected = new LinkedHashSet<>();
        for (String key : source.keys()) {
            if (key.startsWith(prefix)) {
                String local = key.substring(prefix.length());
                if (!mine.containsKey(local) && !ignoredKeys.contains(local)) {
                    unexpected.add(key);
                }
            }
        }
        for (Map.Entry<String, Param> e : mine.entrySet()) {
            String key = prefix + e.getKey();
            if (!source.keys().contains(key)) {
                missing.add(key);
                continue;
            }
            TensorInfo info = source.info(key);
            if (!Arrays.equals(info.shape(), e.getValue().shape().getShape())) {
                misShaped.add(key + " (file " + Arrays.toString(info.shape()) + ", model " + e.getValue().shape() + ")");
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            StringBuilder sb = new StringBuilder("weights in " + source.describe() + " do not fit "
                    + getClass().getSimpleName() + ":");
            appendList(sb, "missing keys", missing);
            appendList(sb, "unexpected keys", new ArrayList<>(unexpected));
            appendList(sb, "keys with the wrong shape", misShaped);
            throw new ModelFormatException(sb.toString());
        }
    }

    /**
     * Loads every parameter from {@code source} (strictly: see {@link #checkCompatible}) into
     * {@code manager}.
     */
    public final void load(TensorSource source, String prefix, Set<String> ignoredKeys, NDManager manager) {
        checkCompatible(source, prefix, ignoredKeys);
        for (Map.Entry<String, Param> e : namedParameters().entrySet()) {
            e.getValue().set(source.load(prefix + e.getKey(), manager));
        }
    }

    /** Sets every parameter of the tree trainable or frozen. */
    public final void setTrainable(boolean trainable) {
        namedParameters().values().forEach(p -> p.setTrainable(trainable));
    }

    /** The parameters' current values under their dotted paths (for saving). */
    public final Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> out.put(k, p.array()));
        return out;
    }

    /** Replaces parameter values from in-memory arrays (strict: same keys, same shapes). */
    public final void loadStateDict(Map<String, NDArray> state) {
        Map<String, Param> mine = namedParameters();
        List<String> problems = new ArrayList<>();
        for (String k : mine.keySet()) {
            NDArray a = state.get(k);
            if (a == null) {
                problems.add("missing " + k);
            } else if (!a.getShape().equals(mine.get(k).shape())) {
                problems.add(k + " has shape " + a.getShape() + ", expected " + mine.get(k).shape());
            }
        }
        for (String k : state.keySet()) {
            if (!mine.containsKey(k)) {
                problems.add("unexpected " + k);
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException("state dict does not fit " + getClass().getSimpleName() + ": " + String.join("; ", problems));
        }
        mine.forEach((k, p) -> p.set(state.get(k)));
    }

    private static void appendList(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(items.size()).append(' ').append(title).append(':');
        int shown = 0;
        for (String item : items) {
            if (shown++ == 20) {
                sb.append("\n    ... and ").append(items.size() - 20).append(" more");
                break;
            }
            sb.append("\n    ").append(item);
        }
    }
}
