package dev.tailorpo.rewards.imagereward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.models.ConfigJson;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.models.blip.BlipVisionConfig;
import dev.tailorpo.diffusion.testing.HeaderOnlySource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real ImageReward-v1.0 (ViT-L/16 at 224, BERT-base with cross-attention, MLP(768)), built
 * without weights from its key table (real-model-keys.json, made with the upstream classes),
 * accepts exactly those keys and shapes and has their parameter count.
 */
class ImageRewardRealShapesTest {
    private static JsonNode table;

    @BeforeAll
    static void read() throws IOException {
        table = new ObjectMapper().readTree(ImageRewardFixture.file("real-model-keys.json").toFile());
    }

    private static HeaderOnlySource realKeys() {
        HeaderOnlySource source = new HeaderOnlySource("ImageReward-v1.0 key table");
        for (JsonNode k : table.get("keys")) {
            long[] shape = new long[k.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = k.get("shape").get(i).asLong();
            }
            source.put(k.get("key").asText(), k.get("dtype").asText().equals("int64") ? "I64" : "F32", shape);
        }
        return source;
    }

    private static BertConfig medConfig() {
        return BertConfig.from(new ConfigJson(table.get("med_config"), "real med_config"));
    }

    @Test
    void acceptsExactlyTheRealKeysAndCountsTheirParameters() {
        JsonNode vision = table.get("vision");
        ImageRewardModel model = ImageRewardModel.forWeights(realKeys(), medConfig(), vision.get("heads").asInt());
        assertEquals(vision.get("image_size").asInt(), model.visionConfig().imageSize());
        assertEquals(vision.get("patch_size").asInt(), model.visionConfig().patchSize());
        assertEquals(vision.get("width").asInt(), model.visionConfig().width());
        assertEquals(vision.get("depth").asInt(), model.visionConfig().depth());
        assertEquals(vision.get("width").asInt(), model.textConfig().encoderWidth(),
                "cross-attention from the vision width, not med_config's encoder_width "
                        + table.get("med_config").get("encoder_width"));
        System.out.printf("ImageReward-v1.0: %,d parameters%n", model.parameterCount());
        assertEquals(table.get("total_parameters").asLong(), model.parameterCount());
        // the head count no shape reveals: BLIP's towers have 64-wide heads, the loaders' default
        assertEquals(vision.get("heads").asInt(), vision.get("width").asInt() / BlipVisionConfig.DEFAULT_HEAD_WIDTH);
    }

    @Test
    void aMissingOrStrayKeyIsNamed() {
        HeaderOnlySource extra = realKeys().put("blip.itm_head.weight", "F32", 2, 768);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ImageRewardModel.forWeights(extra, medConfig(), table.get("vision").get("heads").asInt()));
        assertTrue(e.getMessage().contains("unexpected keys:\n    blip.itm_head.weight"), e.getMessage());

        HeaderOnlySource partial = new HeaderOnlySource("partial");
        realKeys().keys().stream().filter(k -> !k.contains("layer.3.crossattention.self.key.bias"))
                .forEach(k -> partial.put(k, realKeys().info(k).dtype(), realKeys().info(k).shape()));
        e = assertThrows(ModelFormatException.class,
                () -> ImageRewardModel.forWeights(partial, medConfig(), table.get("vision").get("heads").asInt()));
        assertTrue(e.getMessage().contains("missing keys:\n    blip.text_encoder.encoder.layer.3.crossattention.self.key.bias"),
                e.getMessage());
    }
}
