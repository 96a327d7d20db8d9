package dev.tailorpo.diffusion.io;

/**
 * Widening of 16-bit floats to float32, done in Java because DJL's PyTorch JNI aborts the JVM on
 * BF16 arrays (and Java 17 has no {@code Float.float16ToFloat}). Both conversions are exact.
 */
final class HalfFloats {
    private HalfFloats() {}

    /** IEEE 754 binary16 bits (the low 16 bits of {@code bits}) to float. */
    static float f16ToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            // infinity or NaN: keep the payload, shifted into float's wider mantissa
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float (at most 10 significant bits)
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // normal: rebias the exponent from 15 to 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** bfloat16 bits (the low 16 bits of {@code bits}) to float: bf16 is float32's top half. */
    static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
