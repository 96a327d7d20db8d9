package dev.tailorpo.diffusion.io;

import java.nio.ByteBuffer;

/**
 * The element types a PyTorch checkpoint may store, with the two names a pickle uses for each (the
 * legacy storage class {@code torch.FloatStorage} and the dtype object {@code torch.float32}), and
 * the conversion of one stored element to float32, done in Java because DJL cannot hold BF16.
 */
enum TorchDType {
    F32("F32", 4, "FloatStorage", "float32"),
    F16("F16", 2, "HalfStorage", "float16"),
    BF16("BF16", 2, "BFloat16Storage", "bfloat16"),
    F64("F64", 8, "DoubleStorage", "float64"),
    I64("I64", 8, "LongStorage", "int64"),
    I32("I32", 4, "IntStorage", "int32"),
    U8("U8", 1, "ByteStorage", "uint8"),
    BOOL("BOOL", 1, "BoolStorage", "bool");

    /** The name {@link TensorInfo#dtype()} reports (the safetensors spelling). */
    final String infoName;
    final int bytes;
    final String storageClass;
    final String torchName;

    TorchDType(String infoName, int bytes, String storageClass, String torchName) {
        this.infoName = infoName;
        this.bytes = bytes;
        this.storageClass = storageClass;
        this.torchName = torchName;
    }

    /**
     * Element {@code index} of {@code src} as float32 (the buffer's byte order is the file's).
     * Integers beyond 2^24 round, as {@code tensor.float()} would.
     */
    float read(ByteBuffer src, int index) {
        int at = index * bytes;
        return switch (this) {
            case F32 -> src.getFloat(at);
            case F16 -> HalfFloats.f16ToFloat(src.getShort(at));
            case BF16 -> HalfFloats.bf16ToFloat(src.getShort(at));
            case F64 -> (float) src.getDouble(at);
            case I64 -> (float) src.getLong(at);
            case I32 -> (float) src.getInt(at);
            case U8 -> (float) (src.get(at) & 0xFF);
            case BOOL -> src.get(at) != 0 ? 1f : 0f;
        };
    }

}
