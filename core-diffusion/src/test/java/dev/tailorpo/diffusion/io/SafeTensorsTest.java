package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- the real fixtures

    @Test
    void readsTheUnetFixtureHeaderInFileOrder() {
        try (SafeTensorsFile f = SafeTensorsFile.open(TestData.sdTiny("unet", "diffusion_pytorch_model.safetensors"))) {
            // counts and order from the header, read with python3 json + struct
            assertEquals(684, f.keys().size());
            List<String> keys = List.copyOf(f.keys());
            assertEquals(List.of("conv_in.bias", "conv_in.weight", "conv_norm_out.bias"), keys.subList(0, 3));
            assertEquals("up_blocks.3.resnets.2.time_emb_proj.weight", keys.get(683));
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(new TensorInfo("conv_in.weight", "F32", new long[] {32, 4, 3, 3}), f.info("conv_in.weight"));
            assertArrayEquals(new long[] {128, 32}, f.info("time_embedding.linear_1.weight").shape());
        }
    }

    @Test
    void loadsTheSameValuesAsPython() {
        // Reference numbers: python3 + numpy, reading the fixture by hand (struct.unpack('<Q') for the
        // header length, json for the header, np.frombuffer(bytes, '<f4') for the data), printed with
        // repr(float(x)); the sum is of the float32 values in float64.
        try (SafeTensorsFile f = SafeTensorsFile.open(TestData.sdTiny("unet", "diffusion_pytorch_model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            NDArray bias = f.load("conv_in.bias", m);
            assertEquals(DataType.FLOAT32, bias.getDataType());
            assertSame(m, bias.getManager());
            float[] b = bias.toFloatArray();
            assertEquals(32, b.length);
            assertEquals(0.13671231269836426f, b[0]);
            assertEquals(0.01651928760111332f, b[1]);
            assertEquals(-0.004669412970542908f, b[2]);
            assertEquals(0.03195378929376602f, b[3]);
            double sum = 0;
            for (float v : b) {
                sum += v;
            }
            assertEquals(1.6802161540836096, sum, 1e-12);

            NDArray w = f.load("conv_in.weight", m);
            assertEquals(new Shape(32, 4, 3, 3), w.getShape());
            assertEquals(0.1130480095744133f, w.getFloat(31, 3, 2, 2));
            assertEquals(-0.11000007390975952f, w.getFloat(5, 2, 1, 0));
            assertEquals(-0.20330199599266052f, w.getFloat(0, 0, 0, 0));
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(TestData.sdTiny("aesthetic", "model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(Map.of(), f.metadata());
            assertEquals(-0.1854492425918579f, f.load("layers.7.bias", m).getFloat(0));
        }
    }

    @Test
    void loadedArraysAreWritableAndOutliveTheFile() {
        // a tensor aliasing the read-only mapping would crash the JVM on the in-place add
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray bias;
            try (SafeTensorsFile f = SafeTensorsFile.open(TestData.sdTiny("unet", "diffusion_pytorch_model.safetensors"))) {
                bias = f.load("conv_in.bias", m);
                bias.addi(1f);
                assertThrows(ModelFormatException.class, () -> f.load("no.such.key", m), "missing key");
                ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.info("no.such.key"));
                assertTrue(e.getMessage().contains("'no.such.key'") && e.getMessage().contains("diffusion_pytorch_model.safetensors"),
                        e.getMessage());
                f.close();
                assertThrows(IllegalStateException.class, () -> f.load("conv_in.bias", m));
            }
            assertEquals(1.13671231269836426f, bias.getFloat(0), 1e-7);
        }
    }

    @Test
    void rewritingPythonWrittenFilesReproducesThemByteForByte() {
        // the fixtures were written by Python's safetensors (the reference Rust writer), all-F32 with
        // the same key order in header and data, so our writer must give identical bytes
        for (Path fixture : List.of(TestData.sdTiny("aesthetic", "model.safetensors"),
                TestData.sdTiny("text_encoder", "model.safetensors"))) {
            Path copy = dir.resolve(fixture.getParent().getFileName() + ".safetensors");
            try (SafeTensorsFile f = SafeTensorsFile.open(fixture); NDManager m = NDManager.newBaseManager()) {
                Map<String, NDArray> all = new LinkedHashMap<>();
                f.keys().forEach(k -> all.put(k, f.load(k, m)));
                SafeTensorsWriter.write(copy, all, f.metadata());
            }
            assertEquals(-1L, mismatch(fixture, copy), fixture + " rewritten differs");
        }
    }

    // ---------------------------------------------------------------- 16-bit floats

    @Test
    void widensF16Exactly() throws IOException {
        short[] bits = {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, (short) 0x8000, 0x7C00, (short) 0xFC00, 0x7E00};
        float[] expected = {1f, -2.5f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN};
        assertWidened("F16", bits, expected);
    }

    @Test
    void widensBf16Exactly() throws IOException {
        short[] bits = {0x3F80, (short) 0xC020, 0x4049, 0x7F7F, 0x0001, (short) 0x8000, 0x7F80, (short) 0xFF80, 0x7FC0, 0x0080};
        float[] expected = {1f, -2.5f, 3.140625f, 0x1.fep127f, Float.MIN_VALUE * 0x1p16f, -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_NORMAL};
        assertWidened("BF16", bits, expected);
    }

    private void assertWidened(String dtype, short[] bits, float[] expected) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            data.putShort(b);
        }
        Path p = raw("h.safetensors", "{\"h\":{\"dtype\":\"" + dtype + "\",\"shape\":[2," + bits.length / 2 + "],\"data_offsets\":[0,"
                + 2 * bits.length + "]}}", data.array());
        try (SafeTensorsFile f = SafeTensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            NDArray a = f.load("h", m);
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertEquals(new Shape(2, bits.length / 2), a.getShape());
            float[] got = a.toFloatArray();
            for (int i = 0; i < bits.length; i++) {
                // compare bit patterns so that -0.0 and NaN are checked too
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]),
                        dtype + " bits 0x" + Integer.toHexString(bits[i] & 0xffff) + ": expected " + expected[i] + " got " + got[i]);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    @Test
    void roundTripsEveryWritableTypeWithMetadataInInsertionOrder() {
        Path p = dir.resolve("round.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("z.weight", m.create(new float[] {1.5f, -2f, Float.NaN, Float.NEGATIVE_INFINITY, 0f, 3e38f}, new Shape(2, 3)));
            in.put("a.steps", m.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, new Shape(4)));
            in.put("m.ids", m.create(new int[] {7, -8, Integer.MAX_VALUE}, new Shape(3, 1)));
            in.put("f64", m.create(new double[] {Math.PI, -1e-300}));
            in.put("u8", m.create(new byte[] {0, 127, (byte) 255}).toType(DataType.UINT8, false));
            in.put("i8", m.create(new byte[] {-128, 5}));
            in.put("mask", m.create(new boolean[] {true, false, true}));
            in.put("scalar", m.create(42f));
            in.put("empty", m.create(new Shape(0, 3)));
            in.put("transposed", m.arange(6f).reshape(2, 3).transpose()); // a non-contiguous view
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("note", "ünïcode \"quoted\"\n");
            SafeTensorsWriter.write(p, in, meta);

            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                assertEquals(List.copyOf(in.keySet()), List.copyOf(f.keys()));
                assertEquals(meta, f.metadata());
                assertEquals("F32", f.info("z.weight").dtype());
                assertEquals("I64", f.info("a.steps").dtype());
                assertEquals("BOOL", f.info("mask").dtype());
                assertArrayEquals(new long[0], f.info("scalar").shape());
                for (Map.Entry<String, NDArray> e : in.entrySet()) {
                    NDArray back = f.load(e.getKey(), m);
                    assertEquals(e.getValue().getDataType(), back.getDataType(), e.getKey());
                    assertEquals(e.getValue().getShape(), back.getShape(), e.getKey());
                    assertArrayEquals(e.getValue().toByteArray(), back.toByteArray(), e.getKey());
                }
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, f.load("transposed", m).toFloatArray());
            }
        }
        // the header is padded with spaces so that the data section starts 8-byte aligned
        byte[] bytes = readAll(p);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\","), header);
        assertTrue(header.stripTrailing().endsWith("}") && header.length() - header.stripTrailing().length() < 8, header);
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.writeString(p, "old contents");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensorsWriter.write(p, Map.of("w", m.create(new float[] {1, 2})), null);
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                assertArrayEquals(new float[] {1, 2}, f.load("w", m).toFloatArray());
                assertEquals(Map.of(), f.metadata());
            }
        }
        assertEquals(List.of(p), listDir());
    }

    @Test
    void aFailedWriteLeavesTheExistingFileUntouched() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.writeString(p, "old contents");
        try (NDManager m = NDManager.newBaseManager()) {
            // fails while streaming, after the first tensor went to the temporary file
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("ok", m.create(new float[] {1, 2}));
            in.put("broken", failingToCopy(m.create(new float[] {3, 4})));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensorsWriter.write(p, in, null));
            assertEquals("simulated device failure", e.getMessage());
            assertEquals("old contents", Files.readString(p));
            assertEquals(List.of(p), listDir());

            // refused before anything is written: reserved name, unwritable type
            InvalidInputException reserved = assertThrows(InvalidInputException.class,
                    () -> SafeTensorsWriter.write(p, Map.of("__metadata__", m.create(1f)), null));
            assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
            // (a string array: creating an unsigned 16-bit array might abort the JVM, like BF16)
            InvalidInputException type = assertThrows(InvalidInputException.class,
                    () -> SafeTensorsWriter.write(p, Map.of("s", m.create(new String[] {"text"})), null));
            assertTrue(type.getMessage().contains("'s'") && type.getMessage().contains("data type string"), type.getMessage());
            assertEquals("old contents", Files.readString(p));
            assertEquals(List.of(p), listDir());
        }
    }

    /** A view of {@code real} whose data copy fails, as a device error would. */
    private static NDArray failingToCopy(NDArray real) {
        return (NDArray) Proxy.newProxyInstance(NDArray.class.getClassLoader(), new Class<?>[] {NDArray.class}, (proxy, method, args) -> {
            if (method.getName().equals("toByteBuffer")) {
                throw new IllegalStateException("simulated device failure");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    // ---------------------------------------------------------------- malformed files

    @Test
    void rejectsAFileShorterThanTheLengthPrefix() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3, 4, 5});
        assertRejected(p, "5 bytes", "shorter than the 8-byte header length");
    }

    @Test
    void rejectsAnOversizedHeader() throws IOException {
        assertRejected(withDeclaredLength("cap.safetensors", 200_000_000L, "{}"), "oversized header", "200000000", "limit");
        assertRejected(withDeclaredLength("u64.safetensors", -1L, "{}"), "oversized header", "18446744073709551615");
        assertRejected(withDeclaredLength("long.safetensors", 1000, "{}"), "oversized header", "1000", "larger than the 2 bytes");
    }

    @Test
    void rejectsAHeaderThatIsNotAJsonObject() throws IOException {
        assertRejected(raw("bad.safetensors", "{\"a\": {\"dtype\": ", new byte[0]), "not valid JSON");
        assertRejected(raw("empty.safetensors", "", new byte[0]), "not valid JSON");
        assertRejected(raw("trailing.safetensors", "{} x", new byte[0]), "not valid JSON");
        assertRejected(raw("array.safetensors", "[1, 2]", new byte[0]), "not a JSON object", "array");
        assertRejected(raw("dup.safetensors", "{\"a\":" + f32("[1]", 0, 4) + ",\"a\":" + f32("[1]", 0, 4) + "}", new byte[4]),
                "not valid JSON", "Duplicate field 'a'");
        assertRejected(raw("meta.safetensors", "{\"__metadata__\":{\"epoch\":3}}", new byte[0]), "__metadata__", "'epoch'");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        Path p = raw("dtype.safetensors", "{\"w\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        assertRejected(p, "tensor 'w'", "unknown dtype 'F7'");
    }

    @Test
    void rejectsMalformedOffsets() throws IOException {
        assertRejected(raw("one.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "tensor 'w'", "\"data_offsets\" is not a pair");
        assertRejected(raw("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[4]),
                "tensor 'w'", "\"data_offsets\" is not a pair");
        assertRejected(raw("rev.safetensors", "{\"w\":" + f32("[1]", 8, 4) + "}", new byte[8]), "tensor 'w'", "begin after they end");
        assertRejected(raw("shape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}", new byte[10]),
                "tensor 'w'", "\"shape\" is not an array of non-negative integers");
        assertRejected(raw("huge.safetensors", "{\"w\":" + f32("[4611686018427387904,4]", 0, 8) + "}", new byte[8]),
                "tensor 'w'", "overflows");
    }

    @Test
    void rejectsAMismatchedByteLength() throws IOException {
        assertRejected(raw("len.safetensors", "{\"w\":" + f32("[2,2]", 0, 12) + "}", new byte[12]),
                "tensor 'w'", "mismatched byte length", "needs 16 bytes", "span 12");
    }

    @Test
    void rejectsOffsetsPastTheEnd() throws IOException {
        // a header declaring a 1 TiB tensor over a 16-byte data section
        Path p = raw("past.safetensors", "{\"a\":" + f32("[4]", 0, 16) + ",\"big\":{\"dtype\":\"U8\",\"shape\":[1099511627776],"
                + "\"data_offsets\":[16,1099511627792]}}", new byte[16]);
        assertRejected(p, "offsets past the end", "tensor 'big'", "holds 16 bytes");
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        Path p = dir.resolve("cut.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("first", m.create(new float[] {1, 2, 3}));
            in.put("last", m.create(new float[] {4, 5, 6}));
            SafeTensorsWriter.write(p, in, null);
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() - 5);
        }
        assertRejected(p, "tensor 'last'", "truncated by 5 bytes");
    }

    @Test
    void requiresContiguousNonOverlappingOffsetsLikeTheReferenceCrate() throws IOException {
        assertRejected(raw("overlap.safetensors", "{\"a\":" + f32("[2]", 0, 8) + ",\"b\":" + f32("[2]", 4, 12) + "}", new byte[12]),
                "tensor 'b'", "overlap tensor 'a'");
        assertRejected(raw("gap.safetensors", "{\"a\":" + f32("[2]", 0, 8) + ",\"b\":" + f32("[2]", 12, 20) + "}", new byte[20]),
                "tensor 'b'", "gap of 4 bytes after tensor 'a'");
        assertRejected(raw("start.safetensors", "{\"a\":" + f32("[2]", 4, 12) + "}", new byte[12]),
                "tensor 'a'", "gap of 4 bytes at the start of the data section");
        assertRejected(raw("tail.safetensors", "{\"a\":" + f32("[2]", 0, 8) + "}", new byte[12]), "4 trailing bytes");
        // header order need not be offset order
        Path shuffled = raw("order.safetensors", "{\"b\":" + f32("[1]", 4, 8) + ",\"a\":" + f32("[1]", 0, 4) + "}",
                le(1f, 2f));
        try (SafeTensorsFile f = SafeTensorsFile.open(shuffled); NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of("b", "a"), List.copyOf(f.keys()));
            assertEquals(2f, f.load("b", m).getFloat(0));
            assertEquals(1f, f.load("a", m).getFloat(0));
        }
    }

    @Test
    void opensFilesWithUnloadableDtypesButRefusesToLoadThem() throws IOException {
        Path p = raw("f8.safetensors", "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]},\"w\":"
                + f32("[1]", 4, 8) + "}", concat(new byte[4], le(0.5f)));
        try (SafeTensorsFile f = SafeTensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertEquals("F8_E4M3", f.info("q").dtype());
            assertEquals(0.5f, f.load("w", m).getFloat(0));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.load("q", m));
            assertTrue(e.getMessage().contains("tensor 'q' has dtype F8_E4M3, which cannot be loaded"), e.getMessage());
        }
    }

    @Test
    void rejectsAMissingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "does not exist");
    }

    // ---------------------------------------------------------------- large files

    @Test
    void readsATensorBeyondTheFirstTwoGigabytesOfASparseFile() throws IOException {
        // 3 GB of declared data, stored sparse: only the header and the last 16 bytes occupy disk
        long big = 3_000_000_000L;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},\"tail\":"
                + f32("[4]", big, big + 16) + "}";
        Path p = raw("sparse.safetensors", header, new byte[0]);
        long dataStart = Files.size(p);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(dataStart + big + 16);
            f.seek(dataStart + big);
            f.write(le(1f, -2f, 3.5f, 1e-3f));
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1f, -2f, 3.5f, 1e-3f}, f.load("tail", m).toFloatArray());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.load("big", m));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("2147483647"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Opening {@code p} fails with a ModelFormatException naming the file and every fragment. */
    private static void assertRejected(Path p, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensorsFile.open(p).close(), p.toString());
        assertTrue(e.getMessage().contains(p.toString()), "message does not name the file: " + e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message lacks '" + fragment + "': " + e.getMessage());
        }
    }

    /** A header entry for a float32 tensor. */
    private static String f32(String shape, long begin, long end) {
        return "{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** A file with the given header text (unpadded) and data section. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return withDeclaredLength(name, h.length, concat(h, data));
    }

    private Path withDeclaredLength(String name, long length, String rest) throws IOException {
        return withDeclaredLength(name, length, rest.getBytes(StandardCharsets.UTF_8));
    }

    private Path withDeclaredLength(String name, long length, byte[] rest) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(rest);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long mismatch(Path a, Path b) {
        try {
            return Files.mismatch(a, b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
