package dev.tailorpo.diffusion.models.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.diffusion.models.RealModelShapes;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UNet built from real configs has the real checkpoints' parameters, without allocating any. */
class UNetArchitectureTest {

    @Test
    void sd15UnetHasTheCheckpointsNamesShapesAndCount() {
        JsonNode e = RealModelShapes.entry("sd15_unet");
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.parse(e.get("config"), "sd15_unet"));
        RealModelShapes.assertSameArchitecture(e, unet);
        assertEquals(859_520_964L, unet.parameterCount());
    }

    @Test
    void sd21UnetWithLinearProjectionsAndPerBlockHeads() {
        JsonNode e = RealModelShapes.entry("sd21_unet");
        UNetConfig c = UNetConfig.parse(e.get("config"), "sd21_unet");
        assertEquals(List.of(5, 10, 20, 20), List.of(c.heads(0), c.heads(1), c.heads(2), c.heads(3)));
        assertTrue(c.useLinearProjection());
        RealModelShapes.assertSameArchitecture(e, new UNet2DConditionModel(c));
    }

    @Test
    void sdTinyConfigReadsWithItsDefaults() {
        UNetConfig c = UNetConfig.read(TestData.sdTiny("unet", "config.json"));
        assertEquals(List.of(32, 32, 64, 64), c.blockOutChannels());
        assertEquals(128, c.timeEmbedDim());
        assertEquals(8, c.heads(3));
        assertEquals(32, c.crossAttentionDim());
    }

    @Test
    void unsupportedFeaturesAreRejectedNamingTheKey() throws Exception {
        ObjectMapper om = new ObjectMapper();
        JsonNode base = om.readTree(TestData.sdTiny("unet", "config.json").toFile());
        for (String[] kv : new String[][] {
                {"addition_embed_type", "\"text_time\""},
                {"class_embed_type", "\"timestep\""},
                {"time_cond_proj_dim", "256"},
                {"resnet_time_scale_shift", "\"scale_shift\""},
                {"mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\""},
                {"some_future_feature", "\"on\""}}) {
            ObjectNode c = base.deepCopy();
            c.set(kv[0], om.readTree(kv[1]));
            ConfigException ex = assertThrows(ConfigException.class, () -> UNetConfig.parse(c, "cfg"), kv[0]);
            assertTrue(ex.getMessage().contains(kv[0]), ex.getMessage());
        }
        ObjectNode c = base.deepCopy();
        c.set("down_block_types", om.readTree("[\"CrossAttnDownBlock2D\",\"SimpleCrossAttnDownBlock2D\",\"DownBlock2D\",\"DownBlock2D\"]"));
        ConfigException ex = assertThrows(ConfigException.class, () -> UNetConfig.parse(c, "cfg"));
        assertTrue(ex.getMessage().contains("SimpleCrossAttnDownBlock2D"), ex.getMessage());
        // switched-off future keys are harmless
        ObjectNode off = base.deepCopy();
        off.set("some_future_flag", om.readTree("false"));
        UNetConfig.parse(off, "cfg");
    }
}
