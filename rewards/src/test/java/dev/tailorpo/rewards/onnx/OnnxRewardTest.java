package dev.tailorpo.rewards.onnx;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxRewardTest {
    @TempDir
    Path dir;

    private RewardModel create(Map<String, String> options) {
        return new OnnxRewardProvider().create(new RewardContext(dir, Device.cpu(), options));
    }

    private static Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * Two 2x2 images: channel 0 a ramp (0 left, 1 right), channel 1 = 0.5, channel 2 = 1; the
     * second image is the first times 0.5.
     */
    private static NDArray ramps(NDManager m) {
        float[] one = {0, 1, 0, 1, 0.5f, 0.5f, 0.5f, 0.5f, 1, 1, 1, 1};
        float[] data = new float[24];
        for (int i = 0; i < 12; i++) {
            data[i] = one[i];
            data[12 + i] = one[i] * 0.5f;
        }
        return m.create(data, new Shape(2, 3, 2, 2));
    }

    @Test
    void imageScorerSeesResizedNormalisedPixels() throws Exception {
        TestModels.probe(dir, "pixel_values", -1, 4);
        Map<String, String> o = opts("model", "probe.onnx", "id", "probe", "resize", "bilinear",
                "mean", "0.5,0.25,0", "std", "0.5,0.5,2", "index", "0", "threads", "1");
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(o)) {
            assertEquals("probe", r.info().id());
            assertEquals("probe", r.info().displayName());       // the file name without .onnx
            assertEquals(4, r.info().inputSize());                // taken from the model
            assertFalse(r.info().differentiable());
            // bilinear 2 -> 4 of [0, 1] is [0, .25, .75, 1]; pixel (0, 0, 1) = (0.25 - 0.5) / 0.5
            // for image 1, (0.125 - 0.5) / 0.5 for image 2
            assertArrayEquals(new float[] {-0.5f, -0.75f}, r.score(ramps(m), List.of("a", "b")), 1e-6f);
        }
        o.put("index", "1");
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(o)) {
            // this resize keeps each channel's mean: ((.5-.5)/.5 + (.5-.25)/.5 + (1-0)/2) / 3 = 1/3;
            // image 2: ((.25-.5)/.5 + (.25-.25)/.5 + (.5-0)/2) / 3 = -1/12
            assertArrayEquals(new float[] {1f / 3, -1f / 12}, r.score(ramps(m), List.of("a", "b")), 1e-6f);
        }
    }

    @Test
    void bicubicIsTheDefaultAndCropKeepsTheCentre() throws Exception {
        TestModels.probe(dir, "pixel_values", -1, 4);
        // a 2x4 image (H 2, W 4): the shorter side goes to 4, width to 8, then columns 2..5 are kept
        float[] px = new float[3 * 2 * 4];
        for (int x = 0; x < 4; x++) {
            px[x] = x;           // channel 0 row 0
            px[4 + x] = x;       // channel 0 row 1
        }
        Map<String, String> o = opts("model", "probe.onnx", "mean", "0,0,0", "std", "1,1,1", "index", "0");
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(o)) {
            float[] row = new Resampler(Resampler.Filter.BICUBIC).resize(px, 0, 2, 4, 4, 8);
            float s = r.score(m.create(px, new Shape(1, 3, 2, 4)), List.of("p"))[0];
            assertEquals(row[3], s, 1e-6f);                        // column 1 of the crop = column 3
            assertTrue(Math.abs(row[3] - row[1]) > 0.1, "the crop must matter for this test");
        }
        o.put("center_crop", "false");
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(o)) {
            float[] squashed = new Resampler(Resampler.Filter.BICUBIC).resize(px, 0, 2, 4, 4, 4);
            assertEquals(squashed[1], r.score(m.create(px, new Shape(1, 3, 2, 4)), List.of("p"))[0], 1e-6f);
        }
    }

    @Test
    void fixedBatchModelsAreRunInChunks() throws Exception {
        TestModels.probe(dir, "pixel_values", 1, 4);
        try (NDManager m = NDManager.newBaseManager();
             RewardModel r = create(opts("model", dir.resolve("probe.onnx").toString(), "resize", "bilinear",
                     "mean", "0.5,0.25,0", "std", "0.5,0.5,2", "index", "0"))) {
            assertArrayEquals(new float[] {-0.5f, -0.75f}, r.score(ramps(m), List.of("a", "b")), 1e-6f);
        }
    }

    @Test
    void tokenizerIdsAndMaskReachTheModel() throws Exception {
        TestModels.textImage(dir, 2);
        Path tokenizerDir = TestData.sdTiny("tokenizer");
        ClipTokenizer tok = ClipTokenizer.load(tokenizerDir);
        List<String> prompts = List.of("a red circle", "a large blue square on a black background");
        Map<String, String> o = opts("model", "text_image.onnx", "image_input", "pixel_values",
                "text_input", "input_ids", "mask_input", "attention_mask", "tokenizer", tokenizerDir.toString(),
                "mean", "0,0,0", "std", "1,1,1");
        for (int column = 0; column < 3; column++) {
            o.put("index", Integer.toString(column));
            try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(o)) {
                float[] s = r.score(ramps(m), prompts);
                for (int i = 0; i < 2; i++) {
                    ClipTokenizer.Encoding e = tok.encodeWithMask(prompts.get(i));
                    long idSum = 0;
                    long maskSum = 0;
                    for (int t = 0; t < e.ids().length; t++) {
                        idSum += e.ids()[t];
                        maskSum += e.attentionMask()[t];
                    }
                    double expected = switch (column) {
                        case 0 -> idSum;
                        case 1 -> maskSum;
                        default -> i == 0 ? 2.0 / 3 : 1.0 / 3;   // mean pixel (2x2 needs no resize)
                    };
                    assertEquals(expected, s[i], 1e-5, "column " + column + ", prompt " + i);
                }
                if (column == 1) {
                    assertTrue(s[0] < s[1], "the longer prompt has more real tokens");
                }
            }
        }
    }

    @Test
    void theProviderIsRegistered() {
        try (PluginRegistry reg = PluginRegistry.discover(List.of(RewardProvider.KIND), getClass().getClassLoader(), null)) {
            assertInstanceOf(OnnxRewardProvider.class, reg.get(RewardProvider.KIND, "onnx"));
        }
    }

    @Test
    void missingFileIsNamed() {
        var e = assertThrows(ModelFormatException.class, () -> create(opts("model", "nope.onnx")));
        assertTrue(e.getMessage().contains(dir.resolve("nope.onnx").toString()), e.getMessage());
    }

    @Test
    void wrongInputNameListsTheModelsInputs() throws Exception {
        TestModels.probe(dir, "input", -1, 4);
        var e = assertThrows(ConfigException.class,
                () -> create(opts("model", "probe.onnx", "image_input", "pixel_values", "index", "0")));
        assertTrue(e.getMessage().contains("has no input named 'pixel_values'"), e.getMessage());
        assertTrue(e.getMessage().contains("its inputs are: input (float32 [-1,3,4,4])"), e.getMessage());
    }

    @Test
    void unknownOptionsAreNamed() throws Exception {
        TestModels.probe(dir, "input", -1, 4);
        var e = assertThrows(ConfigException.class,
                () -> create(opts("model", "probe.onnx", "imput_size", "4", "colour", "x")));
        assertTrue(e.getMessage().startsWith("onnx reward: unknown options 'colour', 'imput_size'; known options: center_crop, "),
                e.getMessage());
    }

    @Test
    void signatureMismatchesFailAtCreation() throws Exception {
        TestModels.probe(dir, "x", -1, 4);
        assertMessage(() -> create(opts("model", "probe.onnx", "input_size", "8", "index", "0")),
                "option 'input_size' is 8 but the image input 'x'");
        assertMessage(() -> create(opts("model", "probe.onnx")), "has 2 values per image");
        assertMessage(() -> create(opts("model", "probe.onnx", "index", "2")), "option 'index' is 2");
        assertMessage(() -> create(opts("model", "probe.onnx", "index", "0", "output", "logits")),
                "has no output named 'logits'");
        TestModels.mean(dir, "x", -1, -1);
        assertMessage(() -> create(opts("model", "mean.onnx")), "dynamic size");
        TestModels.textImage(dir, 2);
        assertMessage(() -> create(opts("model", "text_image.onnx", "image_input", "pixel_values")),
                "also needs the input(s) [input_ids, attention_mask]");
        assertMessage(() -> create(opts("model", "text_image.onnx", "text_input", "input_ids")),
                "'text_input' and 'tokenizer' go together");
    }

    @Test
    void dynamicSizeModelsUseTheDeclaredSize() throws Exception {
        TestModels.mean(dir, "x", -1, -1);
        try (NDManager m = NDManager.newBaseManager();
             RewardModel r = create(opts("model", "mean.onnx", "input_size", "3", "mean", "0,0,0", "std", "1,1,1"))) {
            assertEquals(3, r.info().inputSize());
            float[] flat = new float[2 * 3 * 2 * 2];
            java.util.Arrays.fill(flat, 0, 12, 0.25f);
            java.util.Arrays.fill(flat, 12, 24, 0.75f);
            // any resize of a flat image is flat (the weights are normalised)
            assertArrayEquals(new float[] {0.25f, 0.75f}, r.score(m.create(flat, new Shape(2, 3, 2, 2)), List.of("a", "b")), 1e-6f);
        }
    }

    @Test
    void nanScoresNameTheReward() throws Exception {
        TestModels.nan(dir);
        try (NDManager m = NDManager.newBaseManager();
             RewardModel r = create(opts("model", "nan.onnx", "id", "sqrt-reward", "mean", "0,0,0", "std", "1,1,1"))) {
            var e = assertThrows(InvalidInputException.class, () -> r.score(m.ones(new Shape(1, 3, 4, 4)), List.of("p")));
            assertTrue(e.getMessage().contains("onnx reward 'sqrt-reward'") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        var e = assertThrows(TailorException.class, call);
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
}
