package dev.tailorpo.api.reward;

import dev.tailorpo.api.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed option accessors and the unknown-option check: what they accept, their fallbacks, and the
 * messages of their errors.
 */
class RewardContextTest {

    private static RewardContext context(Map<String, String> options) {
        return new RewardContext(Path.of("models"), null, options);
    }

    @Test
    void integerOptionParsesFallsBackAndChecksTheBound() {
        RewardContext c = context(Map.of("threads", " 4 ", "index", "0"));
        assertEquals(4, c.integerOption("onnx", "threads", null, 1));
        assertEquals(0, c.integerOption("onnx", "index", null, 0));
        assertNull(c.integerOption("onnx", "input_size", null, 1));
        assertEquals(7, c.integerOption("onnx", "input_size", 7, 1));

        assertMessage(() -> c.integerOption("onnx", "index", null, 1),
                "onnx reward: option 'index' must be an integer >= 1, got '0'");
        assertMessage(() -> context(Map.of("retries", "two")).integerOption("remote", "retries", 2, 0),
                "remote reward: option 'retries' must be an integer >= 0, got 'two'");
        assertMessage(() -> context(Map.of("timeout_ms", "1.5")).integerOption("remote", "timeout_ms", 60_000, 1),
                "remote reward: option 'timeout_ms' must be an integer >= 1, got '1.5'");
        assertMessage(() -> context(Map.of("timeout_ms", "3000000000")).integerOption("remote", "timeout_ms", 60_000, 1),
                "remote reward: option 'timeout_ms' must be an integer >= 1, got '3000000000'");
    }

    @Test
    void realOptionParsesAllowsInfinitiesAndRejectsNaN() {
        RewardContext c = context(Map.of("min", "-1.5", "max", "Infinity", "bad", "NaN", "word", "high"));
        assertEquals(-1.5, c.realOption("onnx", "min", Double.NEGATIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, c.realOption("onnx", "max", 0.0));
        assertEquals(Double.NEGATIVE_INFINITY, c.realOption("onnx", "absent", Double.NEGATIVE_INFINITY));
        assertNull(c.realOption("brightness", "target", null));

        assertMessage(() -> c.realOption("onnx", "bad", 0.0), "onnx reward: option 'bad' must be a number, got 'NaN'");
        assertMessage(() -> c.realOption("remote", "word", 0.0), "remote reward: option 'word' must be a number, got 'high'");
    }

    @Test
    void booleanOptionTakesTrueOrFalseInAnyCase() {
        RewardContext c = context(Map.of("a", "TRUE", "b", " false ", "c", "yes"));
        assertTrue(c.booleanOption("onnx", "a", false));
        assertFalse(c.booleanOption("onnx", "b", true));
        assertTrue(c.booleanOption("onnx", "absent", true));

        assertMessage(() -> c.booleanOption("remote", "c", true), "remote reward: option 'c' must be true or false, got 'yes'");
    }

    @Test
    void requireKnownAcceptsKnownOrNoOptionsAndNamesTheUnknownOnesSorted() {
        context(Map.of()).requireKnown("brightness", Set.of("target"));
        context(Map.of("target", "0.5")).requireKnown("brightness", Set.of("target"));
        context(Map.of("url", "x")).requireKnown("remote", Set.of("url", "retries"));

        assertMessage(() -> context(Map.of("paht", "x")).requireKnown("shapes-aesthetic", Set.of("path")),
                "shapes-aesthetic reward: unknown option 'paht'; known options: path");
        Map<String, String> options = new LinkedHashMap<>();
        options.put("zeta", "1");
        options.put("model", "m.onnx");
        options.put("alpha", "2");
        assertMessage(() -> context(options).requireKnown("onnx", Set.of("model", "min", "id", "max")),
                "onnx reward: unknown options 'alpha', 'zeta'; known options: id, max, min, model");
        assertMessage(() -> context(Map.of("x", "1")).requireKnown("constant", Set.of()),
                "constant reward: unknown option 'x'; known options: none");
    }

    private static void assertMessage(Executable call, String expected) {
        assertEquals(expected, assertThrows(ConfigException.class, call).getMessage());
    }
}
