package dev.tailorpo.diffusion.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The allowlist of classes and functions a checkpoint's pickle may name. A pickle's GLOBAL opcode
 * can otherwise name any importable callable ({@code os.system}, {@code builtins.eval}) and REDUCE
 * calls it: that is how a malicious {@code .pth} runs code. Here every admitted name maps to a Java
 * stand-in that only builds data; everything else is refused by {@link RestrictedUnpickler}.
 */
final class TorchGlobals {
    private TorchGlobals() {}

    /** The callables a state dict needs, each implemented in Java without side effects. */
    enum Function {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
        REBUILD_TENSOR("torch._utils", "_rebuild_tensor"),
        REBUILD_PARAMETER("torch._utils", "_rebuild_parameter");

        final String module;
        final String name;

        Function(String module, String name) {
            this.module = module;
            this.name = name;
        }

        String qualifiedName() {
            return module + "." + name;
        }
    }

    private static final Map<String, Object> ALLOWED = new LinkedHashMap<>();

    static {
        for (Function f : Function.values()) {
            ALLOWED.put(f.qualifiedName(), f);
        }
        // A storage class (legacy pickles) and a dtype object (TypedStorage pickles) both only say
        // which element type the persistent id's storage holds, so both resolve to the dtype.
        for (TorchDType t : TorchDType.values()) {
            ALLOWED.put("torch." + t.storageClass, t);
            ALLOWED.put("torch." + t.torchName, t);
        }
    }

    /** The stand-in for {@code module.name}, or null when the name is not allowed. */
    static Object resolve(String module, String name) {
        return ALLOWED.get(module + "." + name);
    }

    /** The allowed names, sorted, for error messages. */
    static String allowedNames() {
        return String.join(", ", new TreeSet<>(ALLOWED.keySet()));
    }

    /**
     * Applies an allowed callable to REDUCE's argument tuple.
     *
     * @throws IllegalArgumentException when the arguments are not what torch.save writes
     */
    static Object call(Function f, List<Object> args) {
        return switch (f) {
            case ORDERED_DICT -> {
                // torch pickles OrderedDict() empty and fills it with SETITEMS
                if (!args.isEmpty()) {
                    throw new IllegalArgumentException("collections.OrderedDict expects no arguments, got " + args.size());
                }
                yield new LinkedHashMap<>();
            }
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]):
            // autograd flags and hooks do not matter for weights; hooks cannot be run anyway.
            case REBUILD_TENSOR_V2 -> tensor(f, args, 6);
            case REBUILD_TENSOR -> tensor(f, args, 4);
            case REBUILD_PARAMETER -> {
                // (data, requires_grad, backward_hooks): the parameter is its data
                if (args.size() != 3 || !(args.get(0) instanceof TorchTensorRef t)) {
                    throw new IllegalArgumentException(f.qualifiedName() + " expects (tensor, requires_grad, hooks)");
                }
                yield t;
            }
        };
    }

    private static TorchTensorRef tensor(Function f, List<Object> args, int minArgs) {
        if (args.size() < minArgs || args.size() > minArgs + 1) {
            throw new IllegalArgumentException(f.qualifiedName() + " expects " + minArgs + " arguments, got " + args.size());
        }
        if (!(args.get(0) instanceof TorchStorageRef storage)) {
            throw new IllegalArgumentException(f.qualifiedName() + " expects a storage (persistent id) first, got "
                    + RestrictedUnpickler.typeName(args.get(0)));
        }
        if (!(args.get(1) instanceof Long offset)) {
            throw new IllegalArgumentException(f.qualifiedName() + " expects an integer storage offset");
        }
        long[] size = longs(f, args.get(2), "size");
        long[] stride = longs(f, args.get(3), "stride");
        return new TorchTensorRef(storage, offset, size, stride);
    }

    private static long[] longs(Function f, Object o, String what) {
        if (!(o instanceof RestrictedUnpickler.Tuple t) || t.items().size() > TorchTensorRef.MAX_RANK) {
            throw new IllegalArgumentException(f.qualifiedName() + " expects the " + what + " as a tuple of at most "
                    + TorchTensorRef.MAX_RANK + " integers, got " + RestrictedUnpickler.typeName(o));
        }
        List<Object> items = new ArrayList<>(t.items());
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long v)) {
                throw new IllegalArgumentException(f.qualifiedName() + " expects integers in the " + what + ", got "
                        + RestrictedUnpickler.typeName(items.get(i)));
            }
            out[i] = v;
        }
        return out;
    }
}
