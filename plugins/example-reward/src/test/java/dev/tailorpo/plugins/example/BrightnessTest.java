package dev.tailorpo.plugins.example;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrightnessTest {

    private static RewardModel create(Map<String, String> options) {
        return new BrightnessProvider().create(new RewardContext(null, Device.cpu(), options));
    }

    /** Image 0: grey 0.5; image 1: pure red. */
    private static NDArray greyAndRed(NDManager m) {
        float[] data = new float[2 * 3 * 4];
        java.util.Arrays.fill(data, 0, 12, 0.5f);
        java.util.Arrays.fill(data, 12, 16, 1f);
        return m.create(data, new Shape(2, 3, 2, 2));
    }

    @Test
    void meanLumaUsesRec601Weights() {
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(Map.of())) {
            assertArrayEquals(new float[] {0.5f, 0.299f}, r.score(greyAndRed(m), List.of("a", "b")), 1e-6f);
            assertEquals(1, r.info().max());
        }
    }

    @Test
    void targetScoresTheDistance() {
        try (NDManager m = NDManager.newBaseManager(); RewardModel r = create(Map.of("target", "0.4"))) {
            assertArrayEquals(new float[] {-0.1f, -0.101f}, r.score(greyAndRed(m), List.of("a", "b")), 1e-6f);
            assertEquals(-0.6, r.info().min(), 1e-6);
        }
    }

    @Test
    void gradientIsTheLumaWeightOverThePixelCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = greyAndRed(m);
            x.setRequiresGradient(true);
            DifferentiableReward r = (DifferentiableReward) create(Map.of("target", "0.4"));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(r.scoreTensor(x, List.of("a", "b")).sum());
            }
            float[] g = x.getGradient().toFloatArray();
            // d(-|mean - t|)/dx = -+weight / 4 pixels: the grey image (0.5) is above the target,
            // the red one (0.299) below it
            assertEquals(-0.299f / 4, g[0], 1e-6f);
            assertEquals(-0.587f / 4, g[4], 1e-6f);
            assertEquals(0.114f / 4, g[12 + 8], 1e-6f);
        }
    }

    @Test
    void badOptionsAreNamed() {
        var e = assertThrows(ConfigException.class, () -> create(Map.of("targt", "0.5")));
        assertEquals("brightness reward: unknown option 'targt'; known options: target", e.getMessage());
        e = assertThrows(ConfigException.class, () -> create(Map.of("target", "2")));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
    }
}
