package dev.tailorpo.baselines;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PerPromptStatTrackerTest {
    private static final double EPS = 1e-6;

    /** Buffer 3, min count 2: per-prompt mean and population std once a prompt has 2 rewards, else the batch's; old rewards drop out. */
    @Test
    void normalisesPerPromptWithTheBatchFallbackAndABoundedBuffer() {
        PerPromptStatTracker t = new PerPromptStatTracker(3, 2);
        // a: buffer [1, 3] -> mean 2, std 1; b: buffer [5] < 2 -> the batch [1, 3, 5]: mean 3, std sqrt(8/3)
        float[] first = t.update(List.of("a", "a", "b"), new float[] {1, 3, 5});
        assertClose(new double[] {-1 / (1 + EPS), 1 / (1 + EPS), 2 / (Math.sqrt(8.0 / 3) + EPS)}, first);
        // a: [1, 3, 7] -> mean 11/3, std sqrt(56/9); b: [5, 2] -> mean 3.5, std 1.5
        float[] second = t.update(List.of("a", "b"), new float[] {7, 2});
        assertClose(new double[] {(7 - 11.0 / 3) / (Math.sqrt(56.0 / 9) + EPS), -1.5 / (1.5 + EPS)}, second);
        // a: the oldest reward leaves: [3, 7, 0] -> mean 10/3, std sqrt(74/9)
        float[] third = t.update(List.of("a"), new float[] {0});
        assertClose(new double[] {(0 - 10.0 / 3) / (Math.sqrt(74.0 / 9) + EPS)}, third);
        // c: a lone new reward falls back to a batch of one: std 0, advantage 0 (not NaN)
        assertArrayEquals(new float[] {0f}, t.update(List.of("c"), new float[] {4}));
        assertEquals(Map.of("buffers", Map.of("a", List.of(3.0, 7.0, 0.0), "b", List.of(5.0, 2.0), "c", List.of(4.0))),
                t.state());
    }

    /** A restored tracker goes on exactly as the original, floats that decimal cannot represent included. */
    @Test
    void stateSurvivesAJsonRoundTripBitForBit() throws Exception {
        PerPromptStatTracker original = new PerPromptStatTracker(4, 3);
        original.update(List.of("x", "y", "x"), new float[] {0.1f * 3, (float) Math.PI, 1f / 3});
        original.update(List.of("x", "x", "y"), new float[] {(float) Math.E, 1e-7f, -2.5f});
        ObjectMapper json = new ObjectMapper();
        String saved = json.writeValueAsString(original.state());
        PerPromptStatTracker restored = new PerPromptStatTracker(4, 3);
        restored.restore(json.readValue(saved, new TypeReference<Map<String, Object>>() {}));
        assertEquals(original.state(), restored.state());
        List<String> prompts = List.of("x", "y", "z");
        float[] rewards = {0.7f, 1.3f, 2f};
        assertArrayEquals(original.update(prompts, rewards), restored.update(prompts, rewards));
        restored.restore(Map.of());
        assertEquals(Map.of("buffers", Map.of()), restored.state(), "an empty state empties the buffers");
    }

    private static void assertClose(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "advantage " + i);
        }
    }
}
