package dev.tailorpo.rewards.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.rewards.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static dev.tailorpo.diffusion.testing.TestData.maxAbsDiff;
import static dev.tailorpo.rewards.clip.ClipFixtures.context;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code hpsv2} reward against HPSv2's own scores on hpsv2-tiny (open_clip's preprocess_val,
 * tokenizer and model as HPSv2 vendors them): every batch geometry, both weight files, the pixel
 * gradients, and the errors a user meets.
 */
class HpsV2Test {
    private static final ClipRewardProviders.HpsV2Provider PROVIDER = new ClipRewardProviders.HpsV2Provider();

    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        return TestData.testdata("hpsv2-tiny", name);
    }

    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(fixture("reference.json").toFile());
    }

    private static List<String> prompts() throws IOException {
        List<String> out = new ArrayList<>();
        reference().get("prompts").forEach(p -> out.add(p.asText()));
        return out;
    }

    private static HpsV2 create(String weights, boolean antialias) {
        return PROVIDER.create(context(Map.of("checkpoint", fixture(weights).toString(),
                "model_config", fixture("open_clip_config.json").toString(), "antialias", Boolean.toString(antialias))),
                TestData.repo());
    }

    private static Map<String, NDArray> tensors(NDManager m) {
        Map<String, NDArray> out = new HashMap<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(fixture("reference.safetensors"))) {
            for (String k : f.keys()) {
                out.put(k, f.load(k, m));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"HPS_tiny.pt", "model.safetensors"})
    void scoresEveryBatchLikeHpsv2(String weights) throws IOException {
        JsonNode batches = reference().get("batches");
        List<String> prompts = prompts();
        try (NDManager m = NDManager.newBaseManager(); HpsV2 reward = create(weights, false)) {
            Map<String, NDArray> ref = tensors(m);
            for (Iterator<String> it = batches.fieldNames(); it.hasNext(); ) {
                String batch = it.next();
                int n = batches.get(batch).get("count").asInt();
                float[] scores = reward.score(ref.get(batch + ".images"), prompts.subList(0, n));
                System.out.printf("hpsv2 %s %s: max |diff| %.3g%n", weights, batch, maxAbsDiff(ref.get(batch + ".hps"), m.create(scores)));
                assertClose(ref.get(batch + ".hps"), m.create(scores), 1e-4, 0, batch + ".hps");
                for (int i = 0; i < n; i++) {
                    assertEquals(batches.get(batch).get("hps").get(i).asDouble(), scores[i], 1e-4, batch + " hps[" + i + "]");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HPS_tiny.pt", "model.safetensors"})
    void pixelGradientsMatchHpsv2AndFiniteDifferences(String weights) throws IOException {
        JsonNode batches = reference().get("batches");
        List<String> prompts = prompts();
        try (NDManager m = NDManager.newBaseManager(); HpsV2 reward = create(weights, false)) {
            Map<String, NDArray> ref = tensors(m);
            int checked = 0;
            for (Iterator<String> it = batches.fieldNames(); it.hasNext(); ) {
                String batch = it.next();
                NDArray expected = ref.get(batch + ".grad_images");
                if (expected == null) {
                    continue;
                }
                int n = batches.get(batch).get("count").asInt();
                try (NDManager step = m.newSubManager()) {
                    NDArray x = ref.get(batch + ".images").duplicate();
                    x.attach(step);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(reward.scoreTensor(x, prompts.subList(0, n)).sum());
                    }
                    NDArray grad = x.getGradient();
                    double scale = Arrays.stream(toDoubles(expected)).map(Math::abs).max().orElse(0);
                    System.out.printf("hpsv2 %s d hps / d %s.images: max |diff| %.3g of max |grad| %.3g%n", weights, batch,
                            maxAbsDiff(expected, grad), scale);
                    assertClose(expected, grad, 1e-3 * scale, 1e-3, batch + ".grad_images");
                    checked++;
                }
            }
            assertTrue(checked > 0, "the fixture has gradients to check");
            GradientCheck.check(reward, m, new Shape(2, 3, 24, 40), prompts.subList(0, 2), 5);
            for (var p : reward.clip().namedParameters().values()) {
                assertFalse(p.array().hasGradient(), "frozen parameter " + p + " has a gradient");
            }
        }
    }

    @Test
    void antialiasingIsTheModelOnTheAntialiasedPixels() throws IOException {
        List<String> prompts = prompts();
        try (NDManager m = NDManager.newBaseManager(); HpsV2 plain = create("HPS_tiny.pt", false);
             HpsV2 antialiased = create("HPS_tiny.pt", true)) {
            Map<String, NDArray> ref = tensors(m);
            for (String key : ref.keySet().stream().filter(k -> k.endsWith(".pixel_values_antialias")).sorted().toList()) {
                String batch = key.substring(0, key.indexOf('.'));
                NDArray images = ref.get(batch + ".images");
                int n = (int) images.getShape().get(0);
                float[] scores = antialiased.score(images, prompts.subList(0, n));
                // the same model on the reference's antialiased pixel values, brought back to [0, 1] units
                NDArray pixels = ref.get(key);
                NDArray viaPixels = antialiased.clip().imageEmbeds(pixels);
                NDArray text = antialiased.clip().textEmbeds(ref.get("text.input_ids").get("0:" + n));
                float[] expected = new float[n];
                float[] cos = antialiased.similarity(viaPixels, text).toFloatArray();
                for (int i = 0; i < n; i++) {
                    expected[i] = cos[i * n + i];
                }
                assertArrayEquals(expected, scores, 1e-4f, key);
                assertNotEquals(plain.score(images, prompts.subList(0, n))[0], scores[0], batch + ": antialiasing changes the score");
            }
        }
    }

    @Test
    void describesItselfAndIsRegistered() throws IOException {
        try (HpsV2 reward = create("model.safetensors", false)) {
            assertEquals("hpsv2", reward.info().id());
            assertTrue(reward.info().differentiable());
            assertEquals(-1, reward.info().min());
            assertEquals(1, reward.info().max());
            assertEquals(reference().get("image_size").asInt(), reward.info().inputSize());
        }
        JsonNode preprocess = new ObjectMapper().readTree(fixture("open_clip_config.json").toFile()).get("preprocess_cfg");
        for (int c = 0; c < 3; c++) {
            assertEquals(preprocess.get("mean").get(c).floatValue(), ClipImageProcessor.MEAN[c], "the normalisation HPSv2 uses");
            assertEquals(preprocess.get("std").get(c).floatValue(), ClipImageProcessor.STD[c]);
        }
        List<String> ids = new ArrayList<>();
        ServiceLoader.load(RewardProvider.class).forEach(p -> ids.add(p.id()));
        assertTrue(ids.contains("hpsv2"), ids.toString());
    }

    @Test
    void emptyAndOverlongPrompts() throws IOException {
        try (NDManager m = NDManager.newBaseManager(); HpsV2 reward = create("HPS_tiny.pt", false)) {
            NDArray image = tensors(m).get("sq32.images").get("0:1");
            assertTrue(Float.isFinite(reward.score(image, List.of(""))[0]));
            String longPrompt = prompts().get(1);   // over 77 tokens: open_clip keeps the first 76 and EOT
            assertEquals(reward.score(image, List.of(longPrompt))[0], reward.score(image, List.of(longPrompt + " and more"))[0], 0f);
        }
    }

    @Test
    void badFilesAndInputsAreNamed() throws IOException {
        Path other = TestData.testdata("imagereward-tiny", "ImageReward.pt");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", other.toString(), "model_config", fixture("open_clip_config.json").toString())), TestData.repo()));
        assertTrue(e.getMessage().contains(other + " is not an open_clip CLIP checkpoint"), e.getMessage());

        byte[] whole = Files.readAllBytes(fixture("HPS_tiny.pt"));
        Path truncated = tmp.resolve("HPS_truncated.pt");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 100));
        e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", truncated.toString(), "model_config", fixture("open_clip_config.json").toString())), TestData.repo()));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        // the tiny weights under the default ViT-H-14 config
        e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", fixture("HPS_tiny.pt").toString())), TestData.repo()));
        assertTrue(e.getMessage().contains(fixture("HPS_tiny.pt") + " holds another open_clip network than the model config")
                && e.getMessage().contains("'model_config'"), e.getMessage());

        ConfigException c = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", fixture("HPS_tiny.pt").toString())), tmp));
        assertTrue(c.getMessage().contains("option 'vocab' is not set and the default "
                + tmp.resolve(ClipRewardProviders.DEFAULT_OPEN_CLIP_VOCAB)), c.getMessage());

        try (NDManager m = NDManager.newBaseManager(); HpsV2 reward = create("HPS_tiny.pt", false)) {
            NDArray images = tensors(m).get("sq32.images").duplicate();
            images.set(new NDIndex("2, 1, 5, 6"), Float.NaN);
            InvalidInputException bad = assertThrows(InvalidInputException.class,
                    () -> reward.score(images, prompts().subList(0, 3)));
            assertTrue(bad.getMessage().startsWith("hpsv2: image 2"), bad.getMessage());
        }
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
