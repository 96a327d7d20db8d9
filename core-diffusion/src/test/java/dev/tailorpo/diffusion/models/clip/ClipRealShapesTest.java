package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.models.ConfigJson;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The real SD 1.5 text encoder and OpenAI's CLIP ViT-L/14, built from their configs without any
 * weights (parameters are declared, never allocated), have exactly the state dicts transformers
 * gives them: same keys in the same order, same shapes, same parameter counts.
 */
class ClipRealShapesTest {
    private static JsonNode shapes;

    @BeforeAll
    static void read() throws IOException {
        shapes = new ObjectMapper().readTree(TestData.testdata("real-model-shapes.json").toFile());
    }

    @Test
    void sd15TextEncoder() {
        JsonNode entry = shapes.get("sd15_text_encoder");
        ClipTextModel model = new ClipTextModel(ClipTextConfig.from(new ConfigJson(entry.get("config"), "sd15_text_encoder")));
        assertSameStateDict(entry, model);
        assertEquals(123_060_480L, model.parameterCount());
    }

    @Test
    void clipVitL14() {
        JsonNode entry = shapes.get("clip_vit_l14");
        ClipModel model = new ClipModel(ClipConfig.from(new ConfigJson(entry.get("config"), "clip_vit_l14")));
        assertEquals(224, model.config().vision().imageSize());
        assertEquals(257, model.config().vision().numPositions());
        assertSameStateDict(entry, model);
        assertEquals(427_616_513L, model.parameterCount());
    }

    private static void assertSameStateDict(JsonNode entry, Module model) {
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.get("state_dict").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<Long> dims = new ArrayList<>();
            e.getValue().forEach(d -> dims.add(d.asLong()));
            expected.put(e.getKey(), dims);
        }
        Map<String, List<Long>> actual = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            List<Long> dims = new ArrayList<>();
            for (long d : e.getValue().shape().getShape()) {
                dims.add(d);
            }
            actual.put(e.getKey(), dims);
            assertFalse(e.getValue().isSet(), e.getKey() + " was allocated");
        }
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "keys in state-dict order");
        assertEquals(expected, actual, "shapes");
        assertEquals(entry.get("parameter_count").asLong(), model.parameterCount());
    }
}
