package dev.tailorpo.rewards.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A dependency-free writer of tiny ONNX models for tests (DJL-NOTES, appendix A): protobuf fields
 * written by hand with onnx.proto's field numbers, so no protobuf or Python is needed to make a
 * scorer whose output can be computed by hand.
 */
final class OnnxWriter {
    private OnnxWriter() {}

    static final int FLOAT = 1;
    static final int INT32 = 6;
    static final int INT64 = 7;

    /** A protobuf message under construction. */
    static final class Msg {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        void tag(int field, int wire) {
            varint(((long) field << 3) | wire);
        }

        Msg i64(int f, long v) {
            tag(f, 0);
            varint(v);
            return this;
        }

        Msg f32(int f, float v) {
            tag(f, 5);
            int x = Float.floatToIntBits(v);
            for (int i = 0; i < 4; i++) {
                b.write((x >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        Msg bytes(int f, byte[] v) {
            tag(f, 2);
            varint(v.length);
            b.write(v, 0, v.length);
            return this;
        }

        Msg str(int f, String s) {
            return bytes(f, s.getBytes(StandardCharsets.UTF_8));
        }

        Msg msg(int f, Msg m) {
            return bytes(f, m.b.toByteArray());
        }

        byte[] toBytes() {
            return b.toByteArray();
        }
    }

    static Msg msg() {
        return new Msg();
    }

    /** TensorProto with float data. */
    static Msg tensorFloat(String name, long[] dims, float[] data) {
        Msg t = msg();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, FLOAT).str(8, name);
        ByteBuffer bb = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            bb.putFloat(v);
        }
        return t.bytes(9, bb.array());
    }

    /** TensorProto with int64 data (axes inputs of opset-13 reductions). */
    static Msg tensorLong(String name, long[] dims, long[] data) {
        Msg t = msg();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, INT64).str(8, name);
        ByteBuffer bb = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) {
            bb.putLong(v);
        }
        return t.bytes(9, bb.array());
    }

    /** ValueInfoProto of a tensor of {@code elemType}; negative dims become symbolic ("N", "H", ...). */
    static Msg valueInfo(String name, int elemType, long... dims) {
        Msg shape = msg();
        for (int i = 0; i < dims.length; i++) {
            shape.msg(1, dims[i] < 0 ? msg().str(2, "d" + i) : msg().i64(1, dims[i]));
        }
        Msg tensorType = msg().i64(1, elemType).msg(2, shape);
        return msg().str(1, name).msg(2, msg().msg(1, tensorType));
    }

    /** NodeProto. */
    static Msg node(String op, String[] in, String[] out, Msg... attrs) {
        Msg n = msg();
        for (String s : in) {
            n.str(1, s);
        }
        for (String s : out) {
            n.str(2, s);
        }
        n.str(3, op + "_" + out[0]).str(4, op);
        for (Msg a : attrs) {
            n.msg(5, a);
        }
        return n;
    }

    static Msg attrInt(String name, long v) {
        return msg().str(1, name).i64(3, v).i64(20, 2);
    }

    static Msg attrInts(String name, long... v) {
        Msg a = msg().str(1, name);
        for (long x : v) {
            a.i64(8, x);
        }
        return a.i64(20, 7);
    }

    /** ModelProto: IR 8, one opset of the default domain. */
    static byte[] model(Msg graph, int opset) {
        return msg().i64(1, 8).str(2, "tailorpo-test").msg(7, graph)
                .msg(8, msg().str(1, "").i64(2, opset)).toBytes();
    }
}
