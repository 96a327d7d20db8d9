package dev.tailorpo.diffusion.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code testdata/real-model-shapes.json}: the configs, state-dict names and shapes and parameter
 * counts of real checkpoints (SD 1.5, SD 2.1, ...), for checking architectures without weights.
 */
public final class RealModelShapes {
    private RealModelShapes() {}

    /** The entry for {@code model} ({@code sd15_unet}, {@code sd21_unet}, {@code sd15_vae}, ...). */
    public static JsonNode entry(String model) {
        try {
            JsonNode e = new ObjectMapper().readTree(TestData.testdata("real-model-shapes.json").toFile()).get(model);
            assertTrue(e != null, "no " + model + " in real-model-shapes.json");
            return e;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Asserts that {@code module} declares exactly the entry's parameters, in the checkpoint's order,
     * with the same shapes, and the same total count; and that nothing was allocated.
     */
    public static void assertSameArchitecture(JsonNode entry, Module module) {
        List<String> expected = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.get("state_dict").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long[] shape = new long[e.getValue().size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get(i).asLong();
            }
            expected.add(e.getKey() + " " + Arrays.toString(shape));
        }
        List<String> actual = new ArrayList<>();
        for (Map.Entry<String, Param> e : module.namedParameters().entrySet()) {
            actual.add(e.getKey() + " " + Arrays.toString(e.getValue().shape().getShape()));
            assertTrue(!e.getValue().isSet(), e.getKey() + " was allocated by the constructor");
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        assertEquals(List.of(), missing, "parameters of the checkpoint the model lacks (or mis-shapes)");
        assertEquals(List.of(), extra, "parameters the model has beyond the checkpoint");
        assertEquals(expected, actual, "state-dict order");
        assertEquals(entry.get("parameter_count").asLong(), module.parameterCount(), "parameter count");
    }
}
