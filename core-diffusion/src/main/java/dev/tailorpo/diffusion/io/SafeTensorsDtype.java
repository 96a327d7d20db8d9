package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.types.DataType;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types of the safetensors format with their byte sizes, and the DJL type each one is
 * loaded as.
 *
 * <p>Every fixed-width type of the format is listed, even those DJL cannot hold, so that a file
 * holding one such tensor still opens (its header is validated with the right byte size) and only
 * loading that tensor fails. The DJL types are limited to those libtorch's JNI maps: creating an
 * unmapped type (BF16 and, untested, the unsigned and 16-bit integers) aborts the JVM, so F16 and
 * BF16 are widened to float32 in Java instead.
 */
enum SafeTensorsDtype {
    BOOL(1, DataType.BOOLEAN),
    U8(1, DataType.UINT8),
    I8(1, DataType.INT8),
    F8_E5M2(1, null),
    F8_E4M3(1, null),
    F8_E8M0(1, null),
    I16(2, null),
    U16(2, null),
    F16(2, DataType.FLOAT32),
    BF16(2, DataType.FLOAT32),
    I32(4, DataType.INT32),
    U32(4, null),
    F32(4, DataType.FLOAT32),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    U64(8, null);

    /** Bytes per element in the file. */
    final int size;
    /** The type of the loaded array, or null when this project cannot load the type. */
    final DataType loadedAs;

    SafeTensorsDtype(int size, DataType loadedAs) {
        this.size = size;
        this.loadedAs = loadedAs;
    }

    /** The dtype named {@code name} in a header, or null when the format has no such type. */
    static SafeTensorsDtype parse(String name) {
        for (SafeTensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The dtype a DJL array of type {@code type} is written as, or null when it has none here. */
    static SafeTensorsDtype forWriting(DataType type) {
        return switch (type) {
            case BOOLEAN -> BOOL;
            case UINT8 -> U8;
            case INT8 -> I8;
            case FLOAT16 -> F16;
            case INT32 -> I32;
            case FLOAT32 -> F32;
            case FLOAT64 -> F64;
            case INT64 -> I64;
            default -> null;
        };
    }

    /** The names of the dtypes that can be loaded, for error messages. */
    static String loadable() {
        return Arrays.stream(values()).filter(d -> d.loadedAs != null).map(Enum::name).collect(Collectors.joining(", "));
    }
}
