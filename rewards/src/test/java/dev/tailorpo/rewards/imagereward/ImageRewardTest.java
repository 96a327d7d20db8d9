package dev.tailorpo.rewards.imagereward;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static dev.tailorpo.diffusion.testing.TestData.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code image-reward} reward against ImageReward's own {@code score} (PIL path) and
 * {@code score_gard} (ReFL's tensor path) on imagereward-tiny: scores, pixel gradients, both
 * weight files, and the errors a user meets.
 */
class ImageRewardTest {
    private static final ImageRewardProvider PROVIDER = new ImageRewardProvider();

    @TempDir
    Path tmp;

    private static RewardModel create(String weights, String preprocess) {
        Map<String, String> options = new HashMap<>(Map.of("checkpoint", ImageRewardFixture.file(weights).toString(),
                "vision_heads", Integer.toString(ImageRewardFixture.visionHeads())));
        if (preprocess != null) {
            options.put("preprocess", preprocess);
        }
        return PROVIDER.create(context(options));
    }

    private static RewardContext context(Map<String, String> options) {
        return new RewardContext(Path.of("models"), Device.cpu(), options);
    }

    /** The reference tensor name of a preprocessing option: pil, tensor, tensor_aa. */
    private static String path(String preprocess) {
        return preprocess.equals("tensor-antialias") ? "tensor_aa" : preprocess;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageReward.pt", "model.safetensors"})
    void scoresLikeUpstreamOnEveryPathAndSize(String weights) {
        List<String> prompts = ImageRewardFixture.prompts();
        JsonNode expectedScores = ImageRewardFixture.reference().get("scores");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = ImageRewardFixture.tensors(m);
            for (String preprocess : List.of("pil", "tensor", "tensor-antialias")) {
                try (RewardModel reward = create(weights, preprocess)) {
                    assertEquals(!preprocess.equals("pil"), reward instanceof DifferentiableReward, preprocess);
                    assertEquals(reward instanceof DifferentiableReward, reward.info().differentiable());
                    for (String batch : List.of("a", "b")) {
                        // at the model's size no path resamples, so batch a has one tensor reference for all
                        String key = batch + "." + (batch.equals("a") && !preprocess.equals("pil") ? "tensor" : path(preprocess))
                                + ".scores";
                        if (!ref.containsKey(key)) {
                            continue;
                        }
                        float[] scores = reward.score(ref.get("images_" + batch), prompts);
                        System.out.printf("image-reward %s %s %s: max |diff| %.3g%n", weights, preprocess, key,
                                maxAbsDiff(ref.get(key), m.create(scores)));
                        assertClose(ref.get(key), m.create(scores), 1e-4, 0, weights + " " + preprocess + " " + key);
                        JsonNode listed = expectedScores.get(key);
                        for (int i = 0; i < scores.length; i++) {
                            assertEquals(listed.get(i).asDouble(), scores[i], 1e-4, key + "[" + i + "] of reference.json");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageReward.pt", "model.safetensors"})
    void pixelGradientsMatchUpstreamAndFiniteDifferences(String weights) {
        List<String> prompts = ImageRewardFixture.prompts();
        try (NDManager m = NDManager.newBaseManager();
             DifferentiableImageReward reward = (DifferentiableImageReward) create(weights, "tensor")) {
            Map<String, NDArray> ref = ImageRewardFixture.tensors(m);
            for (String batch : List.of("a", "b")) {
                NDArray expected = ref.get(batch + ".tensor.grad_images");
                try (NDManager step = m.newSubManager()) {
                    NDArray x = ref.get("images_" + batch).duplicate();
                    x.attach(step);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(reward.scoreTensor(x, prompts).sum());
                    }
                    NDArray grad = x.getGradient();
                    double scale = maxAbs(expected);
                    System.out.printf("image-reward %s d score / d images_%s: max |diff| %.3g of max |grad| %.3g%n", weights,
                            batch, maxAbsDiff(expected, grad), scale);
                    assertClose(expected, grad, 1e-3 * scale, 1e-3, batch + ".tensor.grad_images");
                }
            }
            Shape b = ref.get("images_b").getShape();
            GradientCheck.check(reward, m, new Shape(2, b.get(1), b.get(2), b.get(3)), prompts.subList(0, 2), 7);
            for (var p : reward.model().namedParameters().values()) {
                assertFalse(p.array().hasGradient(), "frozen parameter " + p + " has a gradient");
            }
        }
    }

    @Test
    void ranksLikeInferenceRank() {
        JsonNode rank = ImageRewardFixture.reference().get("inference_rank");
        String prompt = ImageRewardFixture.prompts().get(rank.get("prompt_index").asInt());
        try (NDManager m = NDManager.newBaseManager(); RewardModel reward = create("ImageReward.pt", "pil")) {
            NDArray images = ImageRewardFixture.tensors(m).get(rank.get("images").asText());
            int n = (int) images.getShape().get(0);
            float[] scores = reward.score(images, Collections.nCopies(n, prompt));
            for (int i = 0; i < n; i++) {
                assertEquals(rank.get("rewards").get(i).asDouble(), scores[i], 1e-4, "reward of image " + i);
                int better = 0;
                for (float s : scores) {
                    better += s > scores[i] ? 1 : 0;
                }
                assertEquals(rank.get("ranks").get(i).asInt(), better + 1, "rank of image " + i);
            }
        }
    }

    @Test
    void emptyAndOverlongPromptsScoreAsUpstreamTokenizesThem() {
        try (NDManager m = NDManager.newBaseManager(); ImageReward reward = (ImageReward) create("ImageReward.pt", "tensor")) {
            NDArray image = ImageRewardFixture.tensors(m).get("images_a").get("0:1");
            String longPrompt = ImageRewardFixture.prompts().get(2);
            assertTrue(reward.tokenizer().encode(longPrompt).untruncatedLength() > ImageReward.MAX_TOKENS);
            // the tokens past 35 are dropped, so anything appended after them changes nothing
            float a = reward.score(image, List.of(longPrompt))[0];
            float b = reward.score(image, List.of(longPrompt + " and a purple dragon"))[0];
            assertEquals(a, b, 0f);
            float empty = reward.score(image, List.of(""))[0];
            assertTrue(Float.isFinite(empty));
            assertEquals(2, reward.tokenizer().encode("").length(), "[CLS] [SEP]");
        }
    }

    @Test
    void describesItselfAndIsRegistered() {
        try (RewardModel reward = create("model.safetensors", null)) {
            assertEquals("image-reward", reward.info().id());
            assertTrue(reward.info().higherIsBetter());
            assertInstanceOf(DifferentiableReward.class, reward, "the default preprocessing is differentiable");
            assertEquals(ImageRewardFixture.config().get("vision").get("image_size").asInt(), reward.info().inputSize());
            assertEquals(ImageRewardFixture.config().get("tokenizer").get("max_length").asInt(), ImageReward.MAX_TOKENS);
        }
        List<String> ids = new ArrayList<>();
        ServiceLoader.load(RewardProvider.class).forEach(p -> ids.add(p.id()));
        assertTrue(ids.contains("image-reward"), ids.toString());
    }

    @Test
    void badFilesAndInputsAreNamed() throws IOException {
        // another model's checkpoint
        Path hps = TestData.testdata("hpsv2-tiny", "HPS_tiny.pt");
        Path other = tmp.resolve("other").resolve("ImageReward.pt");
        Files.createDirectories(other.getParent());
        Files.copy(hps, other);
        for (String f : List.of("med_config.json", "vocab.txt")) {
            Files.copy(ImageRewardFixture.file(f), other.resolveSibling(f));
        }
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> PROVIDER.create(context(Map.of("checkpoint", other.toString()))));
        assertTrue(e.getMessage().contains(other + " is not an ImageReward checkpoint"), e.getMessage());

        // a truncated checkpoint
        byte[] whole = Files.readAllBytes(ImageRewardFixture.file("ImageReward.pt"));
        Path truncated = tmp.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of("checkpoint", truncated.toString(),
                "med_config", ImageRewardFixture.file("med_config.json").toString(),
                "vocab", ImageRewardFixture.file("vocab.txt").toString()))));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        // a vocab.txt without [CLS]
        Path vocab = tmp.resolve("vocab.txt");
        Files.write(vocab, Files.readAllLines(ImageRewardFixture.file("vocab.txt")).stream()
                .map(l -> l.equals("[CLS]") ? "[CLX]" : l).toList());
        e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", ImageRewardFixture.file("ImageReward.pt").toString(), "vocab", vocab.toString()))));
        assertTrue(e.getMessage().contains(vocab.toString()) && e.getMessage().contains("[CLS]"), e.getMessage());

        // the defaults beside the checkpoint are missing
        Path alone = tmp.resolve("alone.pt");
        Files.copy(ImageRewardFixture.file("ImageReward.pt"), alone);
        ConfigException c = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of("checkpoint", alone.toString()))));
        assertTrue(c.getMessage().contains("option 'med_config' is not set and the default " + tmp.resolve("med_config.json")),
                c.getMessage());
        c = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of())));
        assertTrue(c.getMessage().contains("option 'checkpoint' is required"), c.getMessage());
        e = assertThrows(ModelFormatException.class, () -> PROVIDER.create(context(Map.of(
                "checkpoint", ImageRewardFixture.file("ImageReward.pt").toString()))));
        assertTrue(e.getMessage().contains("the ViT is " + ImageRewardFixture.config().get("vision").get("width").asInt()
                + " wide") && e.getMessage().contains("'vision_heads'"), e.getMessage());
        c = assertThrows(ConfigException.class, () -> create("ImageReward.pt", "bilinear"));
        assertTrue(c.getMessage().contains("option 'preprocess' must be one of tensor-antialias, tensor, pil"), c.getMessage());

        // NaN pixels
        try (NDManager m = NDManager.newBaseManager(); RewardModel reward = create("ImageReward.pt", "tensor")) {
            NDArray images = ImageRewardFixture.tensors(m).get("images_a").duplicate();
            images.set(new ai.djl.ndarray.index.NDIndex("1, 0, 3, 4"), Float.NaN);
            InvalidInputException bad = assertThrows(InvalidInputException.class,
                    () -> reward.score(images, ImageRewardFixture.prompts()));
            assertEquals("image-reward: image 1 has 1 NaN or infinite pixels", bad.getMessage());
        }
    }

    private static double maxAbs(NDArray a) {
        double max = 0;
        for (float v : a.toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
