package dev.tailorpo.rewards.clip;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.rewards.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static dev.tailorpo.rewards.clip.ClipFixtures.PROMPTS;
import static dev.tailorpo.rewards.clip.ClipFixtures.clipDir;
import static dev.tailorpo.rewards.clip.ClipFixtures.context;
import static dev.tailorpo.rewards.clip.ClipFixtures.tinyHead;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaionAestheticTest {
    private static final ClipRewardProviders.LaionAestheticProvider PROVIDER = new ClipRewardProviders.LaionAestheticProvider();

    @TempDir
    Path tmp;

    private static LaionAesthetic tiny() {
        return PROVIDER.create(context(Map.of("clip", clipDir().toString(), "head", tinyHead().toString())), Path.of("nowhere"));
    }

    @Test
    void reproducesTransformersOnImagesInUnitRange() {
        try (LaionAesthetic reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = ClipFixtures.reference(m);
            float[] expected = ref.get("aesthetic_score_images01").toFloatArray();
            float[] scores = reward.score(ref.get("images01"), PROMPTS);
            double worst = maxDiff(expected, scores);
            System.out.printf("laion-aesthetic parity aesthetic_score_images01: max |diff| %.3g%n", worst);
            assertArrayEquals(expected, scores, 1e-5f);

            NDArray tensor = reward.scoreTensor(ref.get("images01"), PROMPTS);
            assertEquals(new Shape(2), tensor.getShape());
            assertArrayEquals(scores, tensor.toFloatArray(), 0f);

            // pixel_values (Gaussian, not from an image) brought back through the inverse normalisation
            float[] fromPixels = reward.score(ClipFixtures.unnormalize(ref.get("pixel_values")), PROMPTS);
            System.out.printf("laion-aesthetic parity aesthetic_score: max |diff| %.3g%n",
                    maxDiff(ref.get("aesthetic_score").toFloatArray(), fromPixels));
            assertArrayEquals(ref.get("aesthetic_score").toFloatArray(), fromPixels, 1e-5f);
        }
    }

    @Test
    void describesItself() {
        try (LaionAesthetic reward = tiny()) {
            RewardInfo info = reward.info();
            assertEquals("laion-aesthetic", info.id());
            assertTrue(info.higherIsBetter());
            assertTrue(info.differentiable());
            assertEquals(32, info.inputSize(), "the tiny CLIP's image_size");
            assertArrayEquals(new long[] {16, 32, 16, 8, 4, 1}, reward.head().widths());
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndLeavesTheModelAlone() {
        try (LaionAesthetic reward = tiny(); NDManager m = NDManager.newBaseManager()) {
            int arrays = ((BaseNDManager) m).getManagedArrays().size();
            GradientCheck.check(reward, m, new Shape(2, 3, 32, 32), PROMPTS, 1);
            // 40x48: resized (bicubic, antialiased) to 32 on the short edge and centre-cropped
            GradientCheck.check(reward, m, new Shape(1, 3, 40, 48), List.of("x"), 2);
            assertEquals(arrays, ((BaseNDManager) m).getManagedArrays().size());
            List<Param> params = new ArrayList<>(reward.clip().namedParameters().values());
            params.addAll(reward.head().namedParameters().values());
            for (Param p : params) {
                assertFalse(p.trainable());
                assertFalse(p.array().hasGradient(), "frozen parameter " + p + " has a gradient");
            }
        }
    }

    @Test
    void realHeadLoadsIntoTheHeadModuleAndReproducesPyTorch() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(TestData.data("weights", "sac+logos+ava1-l14-linearMSE.reference.json").toFile());
        try (NDManager m = NDManager.newBaseManager()) {
            AestheticHead head = AestheticHead.load(ClipFixtures.realHead(), m);
            assertArrayEquals(new long[] {768, 1024, 128, 64, 16, 1}, head.widths());
            List<String> keys = new ArrayList<>();
            ref.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(head.namedParameters().keySet()));

            int n = ref.get("embeddings").size();
            float[] flat = new float[n * 768];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < 768; c++) {
                    flat[r * 768 + c] = (float) ref.get("embeddings").get(r).get(c).asDouble();
                }
            }
            float[] scores = head.forward(m.create(flat, new Shape(n, 768))).toFloatArray();
            double worst = 0;
            for (int r = 0; r < n; r++) {
                double expected = ref.get("scores").get(r).asDouble();
                worst = Math.max(worst, Math.abs(expected - scores[r]));
                assertEquals(expected, scores[r], 1e-5 * Math.abs(expected), "score of embedding " + r);
            }
            System.out.printf("real LAION head: max |diff| to PyTorch %.3g%n", worst);
        }
    }

    @Test
    void missingAndUnknownOptionsAreNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> PROVIDER.create(context(Map.of())));
        assertTrue(e.getMessage().contains("option 'clip' is required"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString(), "heads", "x"))));
        assertEquals("laion-aesthetic reward: unknown option 'heads'; known options: clip, head", e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> PROVIDER.create(context(Map.of("clip", tmp.resolve("absent").toString()))));
        assertTrue(e.getMessage().contains("option 'clip': no such folder"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString(), "head", tmp.resolve("h.pth").toString()))));
        assertTrue(e.getMessage().contains("option 'head': no such file"), e.getMessage());
    }

    @Test
    void defaultHeadResolvesUnderTheTailorFolder() {
        // the repository's real head is found by default; it takes 768-d embeddings, the tiny CLIP gives 16-d
        ModelFormatException wrong = assertThrows(ModelFormatException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString())), TestData.repo()));
        assertTrue(wrong.getMessage().contains("sac+logos+ava1-l14-linearMSE.pth: 'layers.0.weight' takes 768-d embeddings"),
                wrong.getMessage());
        assertTrue(wrong.getMessage().contains("gives 16-d"), wrong.getMessage());
        ConfigException absent = assertThrows(ConfigException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString())), tmp));
        assertTrue(absent.getMessage().contains("option 'head' is not set and the default head "
                + tmp.resolve(ClipRewardProviders.DEFAULT_HEAD)), absent.getMessage());
    }

    @Test
    void misShapedHeadsAreRejectedNamingTheKey() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> good = new LinkedHashMap<>();
            try (SafeTensorsFile f = SafeTensorsFile.open(tinyHead())) {
                for (String k : f.keys()) {
                    good.put(k, f.load(k, m));
                }
            }
            // a middle layer that does not chain: 31 inputs where the previous layer gives 32
            Map<String, NDArray> broken = new LinkedHashMap<>(good);
            broken.put("layers.2.weight", m.zeros(new Shape(16, 31)));
            assertHeadFails(broken, m, "layers.2.weight (file [16, 31], model (16, 32))");
            // two scores instead of one
            broken = new LinkedHashMap<>(good);
            broken.put("layers.7.weight", m.zeros(new Shape(2, 4)));
            broken.put("layers.7.bias", m.zeros(new Shape(2)));
            assertHeadFails(broken, m, "'layers.7.weight' must give one score");
            // a layer missing
            broken = new LinkedHashMap<>(good);
            broken.remove("layers.4.weight");
            assertHeadFails(broken, m, "no tensor 'layers.4.weight'");
            // a stray key
            broken = new LinkedHashMap<>(good);
            broken.put("layers.5.weight", m.zeros(new Shape(1)));
            assertHeadFails(broken, m, "unexpected keys:\n    layers.5.weight");
        }
    }

    private void assertHeadFails(Map<String, NDArray> tensors, NDManager m, String expected) {
        Path file = tmp.resolve("head.safetensors");
        SafeTensorsWriter.write(file, tensors, null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> AestheticHead.load(file, m));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        // through the provider too: nothing of the model is left behind
        ModelFormatException viaProvider = assertThrows(ModelFormatException.class,
                () -> PROVIDER.create(context(Map.of("clip", clipDir().toString(), "head", file.toString()))));
        assertTrue(viaProvider.getMessage().contains(expected), viaProvider.getMessage());
    }

    @Test
    void providersAreRegistered() {
        List<String> ids = new ArrayList<>();
        for (RewardProvider p : ServiceLoader.load(RewardProvider.class)) {
            ids.add(p.id());
        }
        assertTrue(ids.contains("laion-aesthetic") && ids.contains("clip-score"), ids.toString());
        assertInstanceOf(LaionAesthetic.class, tiny());
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
