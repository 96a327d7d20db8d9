package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.models.ConfigJson;
import dev.tailorpo.diffusion.testing.HeaderOnlySource;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real HPSv2 network (open_clip ViT-H-14), built without weights, accepts exactly the keys and
 * shapes of its state dict (testdata/hpsv2-tiny/real-model-keys.json, made with open_clip) through
 * the open_clip key mapping, which is the one transformers' converter applies.
 */
class OpenClipRealShapesTest {
    private static JsonNode keys;

    @BeforeAll
    static void read() throws IOException {
        keys = new ObjectMapper().readTree(TestData.testdata("hpsv2-tiny", "real-model-keys.json").toFile());
    }

    private static HeaderOnlySource openClipStateDict(String prefix) {
        HeaderOnlySource source = new HeaderOnlySource("ViT-H-14 key table");
        for (Iterator<Map.Entry<String, JsonNode>> it = keys.get("open_clip_vit_h_14").get("state_dict").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long[] shape = new long[e.getValue().size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get(i).asLong();
            }
            source.put(prefix + e.getKey(), "F16", shape);
        }
        return source;
    }

    @Test
    void theBuiltInConfigIsOpenClipsViTH14() {
        ClipConfig fromTable = OpenClipConfig.from(new ConfigJson(keys.get("open_clip_vit_h_14").get("config"), "real-model-keys.json"));
        assertEquals(fromTable, OpenClipConfig.vitH14());
        assertEquals(ClipActivation.GELU, fromTable.vision().hiddenAct(), "ViT-H-14 uses the exact GELU");
    }

    @Test
    void acceptsExactlyTheRealStateDictAndCountsItsParameters() {
        ClipModel model = new ClipModel(OpenClipConfig.vitH14());
        for (String prefix : new String[] {"", "state_dict.", "state_dict.module."}) {
            model.checkCompatible(OpenClipStateDict.of(openClipStateDict(prefix)), "", Set.of());
        }
        long expected = keys.get("open_clip_vit_h_14").get("parameter_count").asLong();
        System.out.printf("open_clip ViT-H-14 (HPSv2): %,d parameters%n", model.parameterCount());
        assertEquals(expected, model.parameterCount());

        HeaderOnlySource broken = openClipStateDict("");
        broken.put("visual.proj_extra", "F16", 3);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> model.checkCompatible(OpenClipStateDict.of(broken), "", Set.of()));
        assertTrue(e.getMessage().contains("unexpected keys:\n    visual.proj_extra"), e.getMessage());
    }

    @Test
    void mapsEveryKeyAsTransformersConverterDoes() {
        OpenClipStateDict mapped = OpenClipStateDict.of(openClipStateDict(""));
        JsonNode hf = keys.get("hf_clip_vit_h_14");
        JsonNode rules = hf.get("source");
        assertEquals(rules.size(), mapped.keys().size(), "one transformers key per rule");
        for (Iterator<Map.Entry<String, JsonNode>> it = rules.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String hfKey = e.getKey();
            assertTrue(mapped.keys().contains(hfKey), "no " + hfKey);
            TensorInfo info = mapped.info(hfKey);
            JsonNode shape = hf.get("state_dict").get(hfKey);
            long[] expected = new long[shape.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = shape.get(i).asLong();
            }
            assertArrayEquals(expected, info.shape(), hfKey + " from " + e.getValue() + ": " + Arrays.toString(info.shape()));
        }
    }
}
