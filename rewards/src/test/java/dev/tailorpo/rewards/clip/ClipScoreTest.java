package dev.tailorpo.rewards.clip;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.rewards.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.tailorpo.rewards.clip.ClipFixtures.PROMPTS;
import static dev.tailorpo.rewards.clip.ClipFixtures.clipDir;
import static dev.tailorpo.rewards.clip.ClipFixtures.context;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipScoreTest {
    private static final ClipRewardProviders.ClipScoreProvider PROVIDER = new ClipRewardProviders.ClipScoreProvider();
    private static final String CAT = PROMPTS.get(0);
    private static final String ZEBRA = PROMPTS.get(1);

    @TempDir
    Path tmp;

    /** The sd-tiny CLIP, whose folder has no tokenizer: the snapshot's tokenizer is named. */
    private static ClipScore tiny() {
        return (ClipScore) PROVIDER.create(context(Map.of("clip", clipDir().toString(),
                "tokenizer", TestData.sdTiny("tokenizer").toString())));
    }

    @Test
    void reproducesLogitsPerImageOfTransformers() {
        try (ClipScore reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = ClipFixtures.reference(m);
            float[] logits = ref.get("logits_per_image").toFloatArray();   // (image, text), 2 x 2
            NDArray images = ClipFixtures.unnormalize(ref.get("pixel_values"));
            // each image with its own prompt (the diagonal), with the other's, and both with one prompt
            float[][] expected = {
                {logits[0], logits[3]}, {logits[1], logits[2]}, {logits[0], logits[2]}, {logits[1], logits[3]}};
            List<List<String>> prompts = List.of(List.of(CAT, ZEBRA), List.of(ZEBRA, CAT), List.of(CAT, CAT),
                    List.of(ZEBRA, ZEBRA));
            double worst = 0;
            for (int c = 0; c < expected.length; c++) {
                float[] scores = reward.score(images, prompts.get(c));
                for (int i = 0; i < 2; i++) {
                    worst = Math.max(worst, Math.abs(expected[c][i] - scores[i]));
                }
                assertArrayEquals(expected[c], scores, 1e-5f, "prompts " + prompts.get(c));
            }
            System.out.printf("clip-score parity logits_per_image: max |diff| %.3g%n", worst);
        }
    }

    @Test
    void describesItselfWithTheModelsTemperature() {
        try (ClipScore reward = tiny()) {
            RewardInfo info = reward.info();
            assertEquals("clip-score", info.id());
            assertTrue(info.higherIsBetter());
            assertTrue(info.differentiable());
            assertEquals(32, info.inputSize());
            double logitScale;
            try (SafeTensorsFile f = SafeTensorsFile.open(clipDir().resolve("model.safetensors"));
                    NDManager m = NDManager.newBaseManager()) {
                logitScale = f.load("logit_scale", m).getFloat();
            }
            assertEquals(Math.exp(logitScale), info.max(), 1e-5 * info.max());
            assertEquals(-info.max(), info.min());
        }
    }

    @Test
    void cachedTextEmbeddingsGiveTheSameScoresAndNothingLeaks() {
        try (ClipScore reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            NDArray images = ClipFixtures.unnormalize(ClipFixtures.reference(m).get("pixel_values"));
            BaseNDManager model = (BaseNDManager) reward.clip().namedParameters().get("logit_scale").array().getManager();
            float[] first = reward.score(images, PROMPTS);
            int modelArrays = model.getManagedArrays().size();
            int callerArrays = ((BaseNDManager) m).getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(first, reward.score(images, PROMPTS), 0f);
                try (NDManager step = m.newSubManager()) {
                    NDArray x = images.duplicate();
                    x.attach(step);
                    assertArrayEquals(first, reward.scoreTensor(x, PROMPTS).toFloatArray(), 0f);
                }
            }
            assertEquals(modelArrays, model.getManagedArrays().size(), "the model's manager grew");
            assertEquals(callerArrays, ((BaseNDManager) m).getManagedArrays().size(), "the caller's manager grew");
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndLeavesTheModelAlone() {
        try (ClipScore reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            GradientCheck.check(reward, m, new Shape(2, 3, 32, 32), List.of(CAT, ZEBRA), 3);
            GradientCheck.check(reward, m, new Shape(2, 3, 48, 40), List.of(ZEBRA, ZEBRA), 4);
            for (Param p : reward.clip().namedParameters().values()) {
                assertFalse(p.trainable());
                assertFalse(p.array().hasGradient(), "frozen parameter " + p + " has a gradient");
            }
        }
    }

    @Test
    void tokenizerIsFoundInEitherSnapshotLayout() throws IOException {
        Path tokenizer = TestData.sdTiny("tokenizer");
        // diffusers-like: a tokenizer/ sub-folder
        Path nested = snapshot("nested");
        copyTokenizer(tokenizer, Files.createDirectories(nested.resolve("tokenizer")));
        // openai/clip-vit-* and the laion processor repositories: the files beside config.json
        Path flat = snapshot("flat");
        copyTokenizer(tokenizer, flat);
        assertEquals(nested.resolve("tokenizer"), ClipSnapshot.tokenizerDir("clip-score", nested, null, "tokenizer"));
        assertEquals(flat, ClipSnapshot.tokenizerDir("clip-score", flat, null, "tokenizer"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray images = ClipFixtures.unnormalize(ClipFixtures.reference(m).get("pixel_values"));
            float[] expected;
            try (ClipScore named = tiny()) {
                expected = named.score(images, PROMPTS);
            }
            for (Path dir : List.of(nested, flat)) {
                try (ClipScore found = (ClipScore) PROVIDER.create(context(Map.of("clip", dir.toString())))) {
                    assertArrayEquals(expected, found.score(images, PROMPTS), 0f, dir.toString());
                }
            }
        }
        // PickScore_v1's model folder has no tokenizer: the error says where it looked and what to set
        ConfigException e = assertThrows(ConfigException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString()))));
        assertTrue(e.getMessage().contains("set option 'tokenizer'"), e.getMessage());
        assertTrue(e.getMessage().contains(clipDir().resolve("tokenizer").toString()), e.getMessage());
    }

    @Test
    void badOptionsAndBatchesAreNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of())));
        assertTrue(e.getMessage().startsWith("reward 'clip-score': option 'clip' is required"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of("clip", clipDir().toString(),
                "head", "x"))));
        assertEquals("clip-score reward: unknown option 'head'; known options: clip, tokenizer", e.getMessage());
        try (ClipScore reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            InvalidInputException bad = assertThrows(InvalidInputException.class,
                    () -> reward.score(m.zeros(new Shape(2, 3, 32, 32)), List.of(CAT)));
            assertTrue(bad.getMessage().startsWith("clip-score: 2 images but 1 prompts"), bad.getMessage());
            NDArray nan = m.zeros(new Shape(1, 3, 32, 32)).add(Float.NaN);
            bad = assertThrows(InvalidInputException.class, () -> reward.score(nan, List.of(CAT)));
            assertEquals("clip-score: image 0 has 3072 NaN or infinite pixels", bad.getMessage());
        }
    }

    /** A snapshot folder holding the tiny CLIP's config and weights. */
    private Path snapshot(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(clipDir().resolve("config.json"), dir.resolve("config.json"));
        Files.copy(clipDir().resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    private static void copyTokenizer(Path from, Path to) throws IOException {
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer_config.json")) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }
}
