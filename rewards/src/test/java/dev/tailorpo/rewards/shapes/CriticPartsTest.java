package dev.tailorpo.rewards.shapes;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.diffusion.shapes.Attribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The critics' formulas, file format and training loop, on tiny networks. */
class CriticPartsTest {

    @Test
    void alignmentHeadsFollowTheAttributeOrder() {
        assertEquals(19, CriticKind.ALIGNMENT.outputs());
        assertArrayEquals(new int[] {0, 6, 13, 17, 19}, AttributeHeads.offsets());
        assertEquals(List.of(6, 7, 4, 2), List.of(Attribute.values()).stream().map(Attribute::classes).toList());
    }

    @Test
    void meanLogProbOfUniformLogitsIsTheMeanLogOfOneOverTheClassCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray zeros = m.zeros(new Shape(2, 19));
            float[] a = AttributeHeads.meanLogProb(zeros, new int[][] {{0, 0, 0, 0}, {5, 6, 3, 1}}).toFloatArray();
            double expected = -(Math.log(6) + Math.log(7) + Math.log(4) + Math.log(2)) / 4;
            assertEquals(expected, a[0], 1e-6);
            assertEquals(expected, a[1], 1e-6);
        }
    }

    @Test
    void meanLogProbPicksEachHeadsTargetColumn() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logits = new float[19];
            logits[2] = 3;            // shape head: class 2
            logits[6 + 4] = 1;        // colour head: class 4
            logits[13 + 1] = -2;      // background head: class 1
            logits[17 + 1] = 0.5f;    // size head: class 1
            NDArray x = m.create(logits, new Shape(1, 19));
            int[] t = {2, 4, 0, 1};
            double shape = 3 - Math.log(5 + Math.exp(3));
            double colour = 1 - Math.log(6 + Math.exp(1));
            double background = 0 - Math.log(3 + Math.exp(-2));
            double size = 0.5 - Math.log(1 + Math.exp(0.5));
            assertEquals((shape + colour + background + size) / 4,
                    AttributeHeads.meanLogProb(x, new int[][] {t}).getFloat(0), 1e-6);
            assertArrayEquals(new int[] {2, 4, 0, 1}, AttributeHeads.predictions(x)[0]);
        }
    }

    @Test
    void ratingHeadMapsMinusOneToOneOntoTheRatingRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] r = RatingHead.rating(m.create(new float[] {-1, 0, 1}, new Shape(3, 1))).toFloatArray();
            assertArrayEquals(new float[] {1, 5.5f, 10}, r, 1e-6f);
        }
    }

    @Test
    void learningRateWarmsUpLinearlyThenFollowsHalfACosineToZero() {
        CriticTrainingSettings s = CriticTrainingSettings.defaults(CriticKind.AESTHETIC).withSteps(1000).withLr(1e-3);
        int w = s.warmupSteps();
        assertEquals(1e-3 / w, s.lrAt(0), 1e-12);
        assertEquals(1e-3, s.lrAt(w - 1), 1e-12);
        assertEquals(1e-3, s.lrAt(w), 1e-12);
        assertEquals(0.5e-3, s.lrAt(w + (1000 - w) / 2), 1e-9);
        assertTrue(s.lrAt(999) > 0 && s.lrAt(999) < 1e-7);
    }

    @Test
    void settingsRejectAnEvaluationSeedEqualToTheTrainingSeed() {
        CriticTrainingSettings s = CriticTrainingSettings.defaults(CriticKind.ALIGNMENT);
        ConfigException e = assertThrows(ConfigException.class, () -> s.withSeed(s.evalSeed()));
        assertTrue(e.getMessage().contains("evaluation seed"), e.getMessage());
    }

    @Test
    void pearsonOfALinearRelationIsOne() {
        assertEquals(1, CriticEvaluation.pearson(new double[] {1, 2, 3, 4}, new double[] {3, 5, 7, 9}), 1e-12);
        assertEquals(-1, CriticEvaluation.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
    }

    @Test
    void resizeIsBilinearWithAntialiasingAndKeepsTheGraph() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) {
                v[i] = i;
            }
            NDArray x = m.create(v, new Shape(1, 1, 4, 4));
            // torch F.interpolate(x, 2, mode='bilinear', antialias=True): triangle filter of radius 2 input
            // pixels around 0.5 -> weights 0.75, 0.75, 0.25 (normalised) per axis -> 3.5714 at the corner
            assertEquals(0.75 / 1.75 + 2 * 0.25 / 1.75, CriticInput.resize(x, 2).getFloat(0, 0, 0, 0) / 5, 1e-5);
            // upsizing is plain bilinear with align_corners=False
            assertEquals(0.25f, CriticInput.resize(x, 8).getFloat(0, 0, 0, 1), 1e-6f);
            assertTrue(x == CriticInput.resize(x, 4));
            // each output is a normalised weighted mean of inputs, so d(sum of the 4 outputs)/dx sums to 4
            NDArray leaf = x.duplicate();
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(CriticInput.resize(leaf, 2).sum());
            }
            assertEquals(4, leaf.getGradient().sum().getFloat(), 1e-5);
            assertTrue(leaf.getGradient().min().getFloat() > 0, "every input pixel reaches some output");
        }
    }

    /** A critic small enough to train in a second. */
    private static CriticTrainingSettings tiny(CriticKind kind) {
        return CriticTrainingSettings.defaults(kind).withChannels(List.of(8, 16)).withSteps(4).withBatch(4)
                .withEvalSamples(20).withLogEvery(2);
    }

    @Test
    void trainingWritesAModelFolderThatLoadsBackAndIsDeterministic(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        ShapesRewardTraining.Result ra = ShapesRewardTraining.run(tiny(CriticKind.ALIGNMENT), a, false, Device.cpu(), progress);
        ShapesRewardTraining.run(tiny(CriticKind.ALIGNMENT), b, false, Device.cpu(), progress);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("step      2/4"), text);
        assertTrue(text.contains("rss "), text);
        assertEquals(List.of("accuracy_shape", "accuracy_colour", "accuracy_background", "accuracy_size",
                "accuracy_all_four", "accuracy_all_four_noise_0.05", "mean_reward"), List.copyOf(ra.metrics().keySet()));
        assertArrayEquals(Files.readAllBytes(a.resolve(CriticModel.WEIGHTS_FILE)),
                Files.readAllBytes(b.resolve(CriticModel.WEIGHTS_FILE)), "same settings, same weights");

        JsonNode config = new ObjectMapper().readTree(a.resolve(CriticModel.CONFIG_FILE).toFile());
        assertEquals("alignment", config.get("kind").asText());
        assertEquals(19, config.get("outputs").asInt());
        assertEquals(4, config.get("training").get("steps").asInt());
        assertEquals(CriticTrainingSettings.DEFAULT_EVAL_SEED, config.get("training").get("evaluation").get("data_seed").asLong());
        assertTrue(config.get("training").get("evaluation").get("metrics").has("accuracy_all_four"));

        try (CriticModel model = CriticModel.load(a, CriticKind.ALIGNMENT, Device.cpu())) {
            assertEquals(List.of(8, 16), model.net().config().channels());
            model.net().namedParameters().values().forEach(p -> assertFalse(p.trainable(), p.name()));
            assertEquals(4, model.training().get("steps").asInt());
        }
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary folders left");
    }

    @Test
    void aModelFolderIsReplacedOnlyWhenAsked(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path out = dir.resolve("m");
        ShapesRewardTraining.Result r = ShapesRewardTraining.run(tiny(CriticKind.AESTHETIC), out, false, Device.cpu(), quiet);
        assertEquals(List.of("pearson", "rmse", "mae", "empty_canvas_mean_score"), List.copyOf(r.metrics().keySet()));
        byte[] before = Files.readAllBytes(out.resolve(CriticModel.WEIGHTS_FILE));
        TailorException e = assertThrows(TailorException.class,
                () -> ShapesRewardTraining.run(tiny(CriticKind.AESTHETIC), out, false, Device.cpu(), quiet));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(out.resolve(CriticModel.WEIGHTS_FILE)));

        ShapesRewardTraining.run(tiny(CriticKind.AESTHETIC).withSeed(5), out, true, Device.cpu(), quiet);
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve(CriticModel.WEIGHTS_FILE))));
        assertEquals(List.of("m"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void batchesDoNotDependOnTheNumberOfRenderThreads() {
        var data = new dev.tailorpo.diffusion.shapes.ShapesDataset(3);
        for (CriticKind kind : CriticKind.values()) {
            try (CriticBatches one = new CriticBatches(kind, data, true, 9, 1);
                 CriticBatches three = new CriticBatches(kind, data, true, 9, 3)) {
                CriticBatches.Batch x = one.render(100, 50);
                CriticBatches.Batch y = three.render(100, 50);
                assertArrayEquals(x.images(), y.images());
                assertArrayEquals(x.ratings(), y.ratings());
                for (int i = 0; i < 50; i++) {
                    assertArrayEquals(x.targets()[i], y.targets()[i]);
                }
            }
        }
    }

    @Test
    void offCanvasAugmentationKeepsTheRatingExact() {
        var data = new dev.tailorpo.diffusion.shapes.ShapesDataset(4);
        try (CriticBatches aug = new CriticBatches(CriticKind.AESTHETIC, data, true, 1, 1);
             CriticBatches plain = new CriticBatches(CriticKind.AESTHETIC, data, false, 1, 1)) {
            CriticBatches.Batch a = aug.render(0, 400);
            CriticBatches.Batch p = plain.render(0, 400);
            int moved = 0;
            for (int i = 0; i < 400; i++) {
                if (a.ratings()[i] != p.ratings()[i]) {
                    moved++;
                    assertTrue(a.ratings()[i] >= 1 && a.ratings()[i] < 10);
                }
            }
            // about 5% of 400 are moved; most of those change their rating
            assertTrue(moved >= 5 && moved <= 40, "moved " + moved);
        }
    }
}
