package dev.tailorpo.rewards.shapes;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.shapes.RenderParams;
import dev.tailorpo.diffusion.shapes.ShapeKind;
import dev.tailorpo.diffusion.shapes.ShapePrompt;
import dev.tailorpo.diffusion.shapes.ShapesRenderer;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed shapes-aesthetic and shapes-alignment models, loaded through their providers. */
class ShapesRewardsTest {
    private static final Path MODELS = TestData.repo().resolve("models");
    private static final List<String> PROMPTS = List.of(
            "a large red circle on a black background",
            "a small blue square on a white background",
            "a large yellow star on a navy background",
            "a small white triangle on a gray background",
            "a large green cross on a white background",
            "a large purple diamond on a gray background");

    private static CriticReward aesthetic;
    private static CriticReward alignment;
    private static NDManager manager;

    @BeforeAll
    static void load() {
        RewardContext context = new RewardContext(MODELS, Device.cpu(), Map.of());
        aesthetic = (CriticReward) new ShapesRewardProviders.Aesthetic().create(context);
        alignment = (CriticReward) new ShapesRewardProviders.Alignment().create(context);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        aesthetic.close();
        alignment.close();
        manager.close();
    }

    /**
     * Centred, mid-sized, turned by 6 degrees (the sampler's rotations are continuous, so an exactly
     * axis-aligned square is a little outside the training data: small ones score about 8.3).
     */
    private static RenderParams clean(ShapePrompt p) {
        return RenderParams.clean(p.size().minScale() / 2 + p.size().maxScale() / 2).withRotation(0.1);
    }

    /** Blurred, faded, noisy and half off the right edge. */
    private static RenderParams spoiled(ShapePrompt p) {
        return clean(p).withBlur(1.3).withFade(0.4).withNoise(0.1).withCentre(0.97, 0.5).withRotation(0.2);
    }

    private static NDArray batch(List<float[]> images) {
        float[] all = new float[images.size() * ShapesRenderer.VALUES];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * ShapesRenderer.VALUES, ShapesRenderer.VALUES);
        }
        return manager.create(all, new Shape(images.size(), 3, ShapesRenderer.SIZE, ShapesRenderer.SIZE));
    }

    @Test
    void providersAreRegisteredAndDescribeTheirRewards() {
        List<String> ids = ServiceLoader.load(RewardProvider.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.containsAll(List.of("shapes-aesthetic", "shapes-alignment")), ids.toString());

        RewardInfo a = aesthetic.info();
        assertEquals(new RewardInfo("shapes-aesthetic", a.displayName(), 1, 10, true, true, 32), a);
        RewardInfo b = alignment.info();
        assertEquals(new RewardInfo("shapes-alignment", b.displayName(), Double.NEGATIVE_INFINITY, 0, true, true, 32), b);
    }

    @Test
    void aCleanCentredShapeRatesHigherThanTheSameShapeSpoiled() {
        List<float[]> images = new ArrayList<>();
        for (String text : PROMPTS) {
            ShapePrompt p = ShapePrompt.parse(text);
            images.add(ShapesRenderer.render(p, clean(p)));
            images.add(ShapesRenderer.render(p, spoiled(p)));
        }
        List<String> prompts = PROMPTS.stream().flatMap(p -> java.util.stream.Stream.of(p, p)).toList();
        float[] s = aesthetic.score(batch(images), prompts);
        for (int i = 0; i < PROMPTS.size(); i++) {
            float good = s[2 * i];
            float bad = s[2 * i + 1];
            assertTrue(good > 8.5 && good < 10.5, PROMPTS.get(i) + ": clean render (rating 10) scored " + good);
            assertTrue(bad < 3, PROMPTS.get(i) + ": spoiled render (rating ~1) scored " + bad);
        }
    }

    @Test
    void eachDefectAloneLowersTheAestheticScore() {
        ShapePrompt p = ShapePrompt.parse(PROMPTS.get(0));
        RenderParams c = clean(p);
        List<RenderParams> variants = List.of(c, c.withBlur(1.5), c.withFade(0.5), c.withNoise(0.12), c.withCentre(0.5, 0.9));
        float[] s = aesthetic.score(batch(variants.stream().map(v -> ShapesRenderer.render(p, v)).toList()),
                variants.stream().map(v -> p.toString()).toList());
        for (int i = 1; i < s.length; i++) {
            assertTrue(s[i] < s[0] - 1, "variant " + i + " scored " + s[i] + ", clean " + s[0]);
        }
    }

    @Test
    void aMatchingPromptBeatsAWrongColourShapeOrBackground() {
        SplittableRandom r = new SplittableRandom(1);
        for (String text : PROMPTS) {
            ShapePrompt p = ShapePrompt.parse(text);
            ShapePrompt wrongColour = new ShapePrompt(p.size(), other(p.colour(), r, c -> p.background().allows(c)),
                    p.shape(), p.background());
            ShapePrompt wrongShape = new ShapePrompt(p.size(), p.colour(), other(p.shape(), r, s -> true), p.background());
            ShapePrompt wrongBackground = new ShapePrompt(p.size(), p.colour(), p.shape(),
                    other(p.background(), r, b -> b.allows(p.colour())));
            List<String> prompts = List.of(p.toString(), wrongColour.toString(), wrongShape.toString(),
                    wrongBackground.toString());
            float[] image = ShapesRenderer.render(p, clean(p).withRotation(-0.2).withCentre(0.45, 0.55));
            float[] s = alignment.score(batch(List.of(image, image, image, image)), prompts);
            assertTrue(s[0] <= 0 && s[0] > -0.1, text + ": matching prompt scored " + s[0]);
            for (int i = 1; i < 4; i++) {
                assertTrue(s[i] < s[0] - 1, prompts.get(i) + " scored " + s[i] + " on '" + text + "' (" + s[0] + ")");
            }
            // the classifier's verdict per attribute: all four for the render's own prompt, and
            // exactly the changed attribute wrong for the others (shape, colour, background, size)
            boolean[][] seen = ((ShapesAlignment) alignment).recognised(batch(List.of(image, image, image, image)), prompts);
            assertArrayEquals(new boolean[] {true, true, true, true}, seen[0], text);
            assertArrayEquals(new boolean[] {true, false, true, true}, seen[1], prompts.get(1));
            assertArrayEquals(new boolean[] {false, true, true, true}, seen[2], prompts.get(2));
            assertArrayEquals(new boolean[] {true, true, false, true}, seen[3], prompts.get(3));
        }
    }

    private static <E extends Enum<E>> E other(E value, SplittableRandom r, java.util.function.Predicate<E> allowed) {
        E[] all = value.getDeclaringClass().getEnumConstants();
        while (true) {
            E e = all[r.nextInt(all.length)];
            if (e != value && allowed.test(e)) {
                return e;
            }
        }
    }

    @Test
    void aPromptOutsideTheGrammarIsRejectedByName() {
        ShapePrompt p = ShapePrompt.parse(PROMPTS.get(0));
        NDArray x = batch(List.of(ShapesRenderer.render(p, clean(p))));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> alignment.score(x, List.of("a photo of a cat")));
        assertTrue(e.getMessage().contains("'a photo of a cat'"), e.getMessage());
        assertTrue(e.getMessage().contains("shapes-alignment"), e.getMessage());
        // the aesthetic reward does not read prompts, only counts them
        assertEquals(1, aesthetic.score(x, List.of("a photo of a cat")).length);
        assertThrows(InvalidInputException.class, () -> aesthetic.score(x, List.of("a", "b")));
    }

    @Test
    void aestheticGradientMatchesCentralDifferences() {
        checkGradient(aesthetic, 32, 2, false);
    }

    @Test
    void alignmentGradientMatchesCentralDifferences() {
        checkGradient(alignment, 32, 3, true);
    }

    @Test
    void gradientFlowsThroughTheResizeOfLargerImages() {
        checkGradient(aesthetic, 48, 4, false);
        checkGradient(alignment, 20, 5, true);
    }

    /**
     * d score / d pixel by autograd against (f(x + h e) - f(x - h e)) / 2h, in float32, on the three
     * pixels with the largest gradient and three random ones. With h = 1e-2 the float32 rounding of f
     * adds about 1e-6 / 2e-2 = 5e-5 to the difference and its h^2 term stays well under 1% of the
     * largest gradients (0.1 to 1), hence the tolerance 1e-4 + 1%.
     * The alignment reward is checked against a prompt with the wrong shape: for the right one it is
     * saturated near 0 and its gradient is too small to test anything.
     */
    private static void checkGradient(CriticReward reward, int side, long seed, boolean wrongShape) {
        ShapePrompt p = ShapePrompt.parse(PROMPTS.get((int) seed % PROMPTS.size()));
        float[] rendered = ShapesRenderer.render(p, clean(p).withNoise(0.03).withBlur(0.6).withCentre(0.55, 0.45));
        ShapePrompt scored = wrongShape ? new ShapePrompt(p.size(), p.colour(),
                ShapeKind.values()[(p.shape().ordinal() + 1) % ShapeKind.values().length], p.background()) : p;
        List<String> prompt = List.of(scored.toString());
        try (NDManager m = manager.newSubManager()) {
            NDArray x = CriticInput.resize(m.create(rendered, new Shape(1, 3, 32, 32)), side);
            float[] base = x.toFloatArray();
            NDArray leaf = m.create(base, x.getShape());
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(reward.scoreTensor(leaf, prompt).sum());
            }
            float[] grad = leaf.getGradient().toFloatArray();
            reward.model().net().namedParameters().values().forEach(q -> assertFalse(q.array().hasGradient(), q.name()));

            List<Integer> pixels = new ArrayList<>(IntStream.range(0, grad.length).boxed()
                    .sorted(Comparator.comparingDouble(i -> -Math.abs(grad[i]))).limit(3).toList());
            SplittableRandom r = new SplittableRandom(seed);
            for (int k = 0; k < 3; k++) {
                pixels.add(r.nextInt(grad.length));
            }
            float h = 1e-2f;
            for (int i : pixels) {
                float[] plus = base.clone();
                float[] minus = base.clone();
                plus[i] += h;
                minus[i] -= h;
                float fp = reward.score(m.create(plus, x.getShape()), prompt)[0];
                float fm = reward.score(m.create(minus, x.getShape()), prompt)[0];
                double fd = (fp - fm) / (2.0 * h);
                double tol = 1e-4 + 0.01 * Math.abs(grad[i]);
                assertEquals(fd, grad[i], tol, reward.info().id() + " at " + side + "x" + side + ", pixel " + i
                        + ": autograd " + grad[i] + ", central difference " + fd);
            }
            assertTrue(Math.abs(grad[pixels.get(0)]) > 1e-2, "largest gradient " + grad[pixels.get(0)]);
        }
    }

    @Test
    void theProvidersTakeAPathOptionAndNothingElse(@TempDir Path dir) throws Exception {
        RewardContext explicit = new RewardContext(dir, Device.cpu(),
                Map.of("path", MODELS.resolve("shapes-alignment").toString()));
        try (RewardModel m = new ShapesRewardProviders.Alignment().create(explicit)) {
            assertInstanceOf(ShapesAlignment.class, m);
        }
        // a configuration error, like every reward's unknown option (it was an InvalidInputException)
        ConfigException unknown = assertThrows(ConfigException.class, () -> new ShapesRewardProviders.Aesthetic()
                .create(new RewardContext(MODELS, Device.cpu(), Map.of("paht", "x"))));
        assertEquals("shapes-aesthetic reward: unknown option 'paht'; known options: path", unknown.getMessage());
    }

    @Test
    void loadingErrorsNameTheMissingOrWrongFile(@TempDir Path dir) throws Exception {
        RewardProvider provider = new ShapesRewardProviders.Aesthetic();
        ModelFormatException noFolder = assertThrows(ModelFormatException.class,
                () -> provider.create(new RewardContext(dir, Device.cpu(), Map.of())));
        assertTrue(noFolder.getMessage().contains(dir.resolve("shapes-aesthetic").toString()), noFolder.getMessage());

        Path noWeights = Files.createDirectories(dir.resolve("no-weights"));
        Files.copy(MODELS.resolve("shapes-aesthetic/config.json"), noWeights.resolve("config.json"));
        ModelFormatException e1 = assertThrows(ModelFormatException.class, () -> load(provider, noWeights));
        assertTrue(e1.getMessage().contains(noWeights.resolve("model.safetensors").toString()), e1.getMessage());

        Path noConfig = Files.createDirectories(dir.resolve("no-config"));
        Files.copy(MODELS.resolve("shapes-aesthetic/model.safetensors"), noConfig.resolve("model.safetensors"));
        ModelFormatException e2 = assertThrows(ModelFormatException.class, () -> load(provider, noConfig));
        assertTrue(e2.getMessage().contains(noConfig.resolve("config.json").toString()), e2.getMessage());

        ModelFormatException wrongKind = assertThrows(ModelFormatException.class,
                () -> load(provider, MODELS.resolve("shapes-alignment")));
        assertTrue(wrongKind.getMessage().contains("'alignment' critic"), wrongKind.getMessage());

        Path mismatched = Files.createDirectories(dir.resolve("mismatched"));
        Files.copy(MODELS.resolve("shapes-aesthetic/config.json"), mismatched.resolve("config.json"));
        Files.copy(MODELS.resolve("shapes-alignment/model.safetensors"), mismatched.resolve("model.safetensors"));
        ModelFormatException shapes = assertThrows(ModelFormatException.class, () -> load(provider, mismatched));
        assertTrue(shapes.getMessage().contains("head.weight"), shapes.getMessage());

        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{\"kind\": \"aesthetic\", \"channels\": \"many\"}");
        Files.copy(MODELS.resolve("shapes-aesthetic/model.safetensors"), broken.resolve("model.safetensors"));
        ModelFormatException badConfig = assertThrows(ModelFormatException.class, () -> load(provider, broken));
        assertTrue(badConfig.getMessage().contains("channels") && badConfig.getMessage().contains("config.json"),
                badConfig.getMessage());
    }

    private static RewardModel load(RewardProvider provider, Path folder) {
        return provider.create(new RewardContext(folder.getParent(), Device.cpu(), Map.of("path", folder.toString())));
    }
}
