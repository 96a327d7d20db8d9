package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    @TempDir
    Path tmp;

    // ----- the real file: LAION's aesthetic head

    @Test
    void laionAestheticHeadReproducesTheReferenceScores() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(TestData.data("weights", "sac+logos+ava1-l14-linearMSE.reference.json").toFile());
        List<String> expectedKeys = new ArrayList<>();
        ref.get("state_dict_keys").forEach(k -> expectedKeys.add(k.asText()));
        long[] widths = {768, 1024, 128, 64, 16, 1};
        int[] layers = {0, 2, 4, 6, 7};
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.data("weights", "sac+logos+ava1-l14-linearMSE.pth"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(expectedKeys, new ArrayList<>(ckpt.keys()));
            for (int i = 0; i < layers.length; i++) {
                String p = "layers." + layers[i] + ".";
                assertEquals(new TensorInfo(p + "weight", "F32", new long[] {widths[i + 1], widths[i]}), ckpt.info(p + "weight"));
                assertEquals(new TensorInfo(p + "bias", "F32", new long[] {widths[i + 1]}), ckpt.info(p + "bias"));
            }
            int n = ref.get("embeddings").size();
            float[] flat = new float[n * 768];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < 768; c++) {
                    flat[r * 768 + c] = (float) ref.get("embeddings").get(r).get(c).asDouble();
                }
            }
            // a plain chain of linear layers: the dropouts between them are the identity at inference
            NDArray y = m.create(flat, new Shape(n, 768));
            for (int layer : layers) {
                y = F.linear(y, ckpt.load("layers." + layer + ".weight", m), ckpt.load("layers." + layer + ".bias", m));
            }
            assertEquals(new Shape(n, 1), y.getShape());
            float[] scores = y.toFloatArray();
            for (int r = 0; r < n; r++) {
                double expected = ref.get("scores").get(r).asDouble();
                assertEquals(expected, scores[r], 1e-5 * Math.abs(expected), "score of embedding " + r);
            }
        }
    }

    // ----- fixtures written by torch 1.13 (testdata/torch/make_fixtures.py)

    @Test
    void halfPrecisionWidensExactly() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.testdata("torch", "f16.pt"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(new TensorInfo("exact", "F16", new long[] {3, 4}), ckpt.info("exact"));
            assertArrayEquals(quarterSteps(), ckpt.load("exact", m).toFloatArray());
            float[] special = ckpt.load("special", m).toFloatArray();
            assertArrayEquals(new float[] {65504f, 0x1p-14f, 0x1p-24f, -2.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY},
                    Arrays.copyOf(special, 6));
            assertTrue(Float.isNaN(special[6]));
            assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(special[7]), "negative zero keeps its sign");
        }
    }

    @Test
    void bfloat16WidensExactlyWithoutDjlBf16Arrays() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.testdata("torch", "bf16.pt"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals("BF16", ckpt.info("special").dtype());
            assertArrayEquals(quarterSteps(), ckpt.load("exact", m).toFloatArray());
            float[] special = ckpt.load("special", m).toFloatArray();
            assertArrayEquals(new float[] {3.3895313892515355e38f, 0x1p-133f, 0.333984375f, Float.POSITIVE_INFINITY},
                    Arrays.copyOf(special, 4));
            assertTrue(Float.isNaN(special[4]));
        }
    }

    /** arange(-6, 6).reshape(3, 4) * 0.25. */
    private static float[] quarterSteps() {
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) {
            v[i] = (i - 6) * 0.25f;
        }
        return v;
    }

    @Test
    void stridedViewsOfOneStorageGatherLikeTorch() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.testdata("torch", "strided.pt"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of("base", "transposed", "slice", "step", "expanded"), new ArrayList<>(ckpt.keys()));
            // base = arange(24).reshape(4, 6): base[r][c] = 6r + c
            assertArrayEquals(table(4, 6, (r, c) -> 6 * r + c), ckpt.load("base", m).toFloatArray());
            NDArray t = ckpt.load("transposed", m);
            assertEquals(new Shape(6, 4), t.getShape());
            assertArrayEquals(table(6, 4, (r, c) -> 6 * c + r), t.toFloatArray());
            assertArrayEquals(table(2, 3, (r, c) -> 6 * (r + 1) + c + 2), ckpt.load("slice", m).toFloatArray());
            assertArrayEquals(table(2, 2, (r, c) -> 12 * r + 3 * c), ckpt.load("step", m).toFloatArray());
            assertArrayEquals(table(4, 3, (r, c) -> c), ckpt.load("expanded", m).toFloatArray());
        }
    }

    private interface Cell {
        int at(int r, int c);
    }

    private static float[] table(int rows, int cols, Cell cell) {
        float[] v = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = cell.at(r, c);
            }
        }
        return v;
    }

    @Test
    void nestedDictsFlattenToDottedKeysAndOtherValuesAreSkipped() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.testdata("torch", "nested.pt"));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of("state_dict.weight", "state_dict.bias", "extra.param", "extra.steps", "extra.ids",
                    "extra.mask", "extra.bytes", "extra.double", "extra.scalar", "extra.empty"), new ArrayList<>(ckpt.keys()));
            assertArrayEquals(new float[] {1.5f, -2f}, ckpt.load("extra.param", m).toFloatArray(), "nn.Parameter");
            assertEquals("I64", ckpt.info("extra.steps").dtype());
            assertArrayEquals(new float[] {0, 1, 0x1p40f}, ckpt.load("extra.steps", m).toFloatArray());
            assertArrayEquals(new float[] {-3, 4}, ckpt.load("extra.ids", m).toFloatArray());
            assertArrayEquals(new float[] {1, 0, 1}, ckpt.load("extra.mask", m).toFloatArray());
            assertArrayEquals(new float[] {0, 255}, ckpt.load("extra.bytes", m).toFloatArray());
            assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, ckpt.load("extra.double", m).toFloatArray(),
                    "float64 narrows like tensor.float()");
            NDArray scalar = ckpt.load("extra.scalar", m);
            assertEquals(new Shape(), scalar.getShape());
            assertEquals(3.5f, scalar.getFloat());
            assertEquals(new Shape(0, 4), ckpt.load("extra.empty", m).getShape());

            // the state dict loads into a module by prefix, the other keys being outside it
            LinearLayer lin = new LinearLayer(3, 2, true);
            lin.load(ckpt, "state_dict.", Set.of(), m);
            float[] y = lin.forward(m.create(new float[] {1, 1, 2}, new Shape(1, 3))).toFloatArray();
            assertArrayEquals(new float[] {1 + 2 + 6 + 0.25f, -1 + 0.5f - 0.75f}, y);
        }
    }

    // ----- crafted in Java: format variants torch 1.13 does not write

    @Test
    void dtypeObjectsAsStorageTypeAndBigEndianStoragesLoad() throws IOException {
        // TypedStorage-style persistent id naming torch.float16, and a big-endian writer's byteorder record
        byte[] pickle = PickleBytes.proto2().beginDict()
                .str("h").tensor("float16", "0", 3, 1, new long[] {2}, new long[] {1})
                .str("t").tensor("FloatStorage", "1", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .endDictAndStop().bytes();
        ByteBuffer half = ByteBuffer.allocate(6).order(ByteOrder.BIG_ENDIAN).putShort((short) 0x3C00)
                .putShort((short) 0xC000).putShort((short) 0x3800); // 1, -2, 0.5
        ByteBuffer floats = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            floats.putFloat(i + 0.5f);
        }
        Path file = PickleBytes.checkpoint(tmp.resolve("be.pt"), pickle, Map.of("0", half.array(), "1", floats.array()),
                Map.of("ckpt/byteorder", "big".getBytes(StandardCharsets.US_ASCII)));
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file); NDManager m = NDManager.newBaseManager()) {
            assertEquals("F16", ckpt.info("h").dtype());
            assertArrayEquals(new float[] {-2f, 0.5f}, ckpt.load("h", m).toFloatArray(), "offset 1 into the storage");
            // (3, 2) with stride (1, 3): element (r, c) = storage[r + 3c]
            assertArrayEquals(new float[] {0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f}, ckpt.load("t", m).toFloatArray());
        }
    }

    @Test
    void deflatedEntriesOfARezippedCheckpointLoad() throws IOException {
        byte[] pickle = PickleBytes.proto2().beginDict()
                .str("w").tensor("FloatStorage", "0", 1000, 10, new long[] {2, 3}, new long[] {100, 7})
                .endDictAndStop().bytes();
        ByteBuffer floats = ByteBuffer.allocate(4000).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 1000; i++) {
            floats.putFloat(i);
        }
        Path file = PickleBytes.checkpoint(tmp.resolve("deflated.pt"), pickle, Map.of("0", floats.array()), Map.of(),
                java.util.zip.ZipEntry.DEFLATED);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file); NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(table(2, 3, (r, c) -> 10 + 100 * r + 7 * c), ckpt.load("w", m).toFloatArray());
        }
    }

    // ----- security and broken files: each refused with a message naming the problem

    @Test
    void aPickleNamingOsSystemIsRefusedBeforeAnythingRuns() throws IOException {
        byte[] pickle = PickleBytes.proto2().global("os", "system").str("touch pwned").op(0x85).op('R').op('.').bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("evil.pt"), pickle, Map.of())));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        assertTrue(e.getMessage().contains("evil.pt"), e.getMessage());

        // the protocol 4 spelling, with the module and name pushed as strings
        byte[] stackGlobal = PickleBytes.proto2().str("builtins").str("eval").op(0x93).op('.').bytes();
        e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("eval.pt"), stackGlobal, Map.of())));
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());

        // an allowed name that is data, not a function, cannot be called either
        byte[] callStorage = PickleBytes.proto2().global("torch", "FloatStorage").op(')').op('R').op('.').bytes();
        e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("call.pt"), callStorage, Map.of())));
        assertTrue(e.getMessage().contains("torch.FloatStorage") && e.getMessage().contains("not callable"), e.getMessage());
    }

    @Test
    void anUnsupportedOpcodeIsRefusedByName() throws IOException {
        // INST would import and instantiate a class from its two text lines
        byte[] pickle = PickleBytes.proto2().mark().op('i').raw("os\nsystem\n".getBytes(StandardCharsets.US_ASCII)).op('.').bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("inst.pt"), pickle, Map.of())));
        assertTrue(e.getMessage().contains("INST"), e.getMessage());

        byte[] unknown = PickleBytes.proto2().op(0xFF).bytes();
        e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("ff.pt"), unknown, Map.of())));
        assertTrue(e.getMessage().contains("unknown opcode 0xff"), e.getMessage());
    }

    @Test
    void aStorageReferenceToAMissingEntryNamesTheEntry() throws IOException {
        byte[] pickle = PickleBytes.proto2().beginDict()
                .str("w").tensor("FloatStorage", "7", 4, 0, new long[] {4}, new long[] {1})
                .endDictAndStop().bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("missing.pt"), pickle, Map.of())));
        assertTrue(e.getMessage().contains("ckpt/data/7") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aStorageShorterThanItsDeclaredLengthIsRefused() throws IOException {
        byte[] pickle = PickleBytes.proto2().beginDict()
                .str("w").tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .endDictAndStop().bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("short.pt"), pickle, Map.of("0", new byte[12]))));
        assertTrue(e.getMessage().contains("storage '0'") && e.getMessage().contains("12 bytes"), e.getMessage());
    }

    @Test
    void aTensorRunningPastItsStorageNamesTheKey() throws IOException {
        // size (2, 3) with stride (3, 1) needs 6 elements; the storage has 4
        byte[] pickle = PickleBytes.proto2().beginDict()
                .str("layer.weight").tensor("FloatStorage", "0", 4, 0, new long[] {2, 3}, new long[] {3, 1})
                .endDictAndStop().bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("past.pt"), pickle, Map.of("0", new byte[16]))));
        assertTrue(e.getMessage().contains("'layer.weight'") && e.getMessage().contains("reaches element 5")
                && e.getMessage().contains("holds only 4"), e.getMessage());

        // a stride so large that offset + size*stride overflows a long must not wrap around
        byte[] overflow = PickleBytes.proto2().beginDict()
                .str("w").tensor("FloatStorage", "0", 4, 0, new long[] {3, 2}, new long[] {Integer.MAX_VALUE, 1})
                .endDictAndStop().bytes();
        overflow = replaceStride(overflow);
        byte[] bytes = overflow;
        e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("overflow.pt"), bytes, Map.of("0", new byte[16]))));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    }

    /** Swaps the BININT stride 2^31-1 for LONG1 2^62, which only LONG1 can spell. */
    private static byte[] replaceStride(byte[] pickle) {
        byte[] from = {'J', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
        byte[] to = {(byte) 0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x40};
        for (int i = 0; i + from.length <= pickle.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(pickle, i, i + from.length), from)) {
                byte[] out = new byte[pickle.length - from.length + to.length];
                System.arraycopy(pickle, 0, out, 0, i);
                System.arraycopy(to, 0, out, i, to.length);
                System.arraycopy(pickle, i + from.length, out, i + to.length, pickle.length - i - from.length);
                return out;
            }
        }
        throw new AssertionError("stride not found");
    }

    @Test
    void aNonZipFileIsRefused() throws IOException {
        Path text = Files.writeString(tmp.resolve("weights.pth"), "these are not weights");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(text));
        assertTrue(e.getMessage().contains("weights.pth") && e.getMessage().contains("not a zip archive"), e.getMessage());

        e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(TestData.testdata("torch", "legacy.pt")));
        assertTrue(e.getMessage().contains("pre-1.6"), e.getMessage());
    }

    @Test
    void aTruncatedZipIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(TestData.testdata("torch", "nested.pt"));
        Path cut = Files.write(tmp.resolve("cut.pt"), Arrays.copyOf(whole, whole.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(cut));
        assertTrue(e.getMessage().contains("cut.pt") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void entryNamesThatEscapeTheArchiveAreRefused() throws IOException {
        byte[] pickle = PickleBytes.proto2().op('}').op('.').bytes();
        Path file = PickleBytes.checkpoint(tmp.resolve("slip.pt"), pickle, Map.of(),
                Map.of("ckpt/../../etc/cron.d/x", new byte[1]));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("escapes") && e.getMessage().contains("../../etc/cron.d/x"), e.getMessage());
    }

    @Test
    void selfContainingAndExponentiallySharedContainersAreRefused() throws IOException {
        // l = []; l.append(l)
        byte[] cycle = PickleBytes.proto2().op(']').op('q', 0).op('h', 0).op('a').op('.').bytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("cycle.pt"), cycle, Map.of())));
        assertTrue(e.getMessage().contains("nest deeper than 64"), e.getMessage());

        // l0 = []; l(i) = [l(i-1), l(i-1)]: 40 levels of sharing would be 2^40 paths to walk
        PickleBytes dag = PickleBytes.proto2().op(']').op('q', 0);
        for (int i = 1; i < 40; i++) {
            dag.op(']').op('h', i - 1).op('a').op('h', i - 1).op('a').op('q', i);
        }
        byte[] bytes = dag.op('.').bytes();
        e = assertThrows(ModelFormatException.class,
                () -> TorchCheckpoint.open(PickleBytes.checkpoint(tmp.resolve("dag.pt"), bytes, Map.of())));
        assertTrue(e.getMessage().contains("values"), e.getMessage());
    }

    @Test
    void anOversizedPickleIsRefusedUnread() throws IOException {
        byte[] huge = new byte[TorchCheckpoint.MAX_PICKLE_BYTES + 1];
        Path file = PickleBytes.checkpoint(tmp.resolve("huge.pt"), huge, Map.of());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("ckpt/data.pkl") && e.getMessage().contains("more than the 8388608"), e.getMessage());
    }

    @Test
    void anUnknownKeyIsNamedWithTheFile() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestData.testdata("torch", "f16.pt"))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ckpt.info("nope"));
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("f16.pt"), e.getMessage());
        }
    }
}
