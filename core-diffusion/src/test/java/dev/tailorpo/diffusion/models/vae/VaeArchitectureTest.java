package dev.tailorpo.diffusion.models.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.diffusion.models.RealModelShapes;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VaeArchitectureTest {

    @Test
    void sd15VaeHasTheCheckpointsNamesShapesAndCount() {
        JsonNode e = RealModelShapes.entry("sd15_vae");
        AutoencoderKL vae = new AutoencoderKL(VaeConfig.parse(e.get("config"), "sd15_vae"));
        RealModelShapes.assertSameArchitecture(e, vae);
        assertEquals(83_653_863L, vae.parameterCount());
    }

    @Test
    void sdTinyConfig() {
        VaeConfig c = VaeConfig.read(TestData.sdTiny("vae", "config.json"));
        assertEquals(0.18215f, c.scalingFactor());
        assertEquals(4, c.latentChannels());
    }

    @Test
    void latentStatisticsAreRejected() throws Exception {
        ObjectMapper om = new ObjectMapper();
        ObjectNode c = (ObjectNode) om.readTree(TestData.sdTiny("vae", "config.json").toFile());
        c.set("shift_factor", om.readTree("0.1159"));
        ConfigException ex = assertThrows(ConfigException.class, () -> VaeConfig.parse(c, "cfg"));
        assertTrue(ex.getMessage().contains("shift_factor"), ex.getMessage());
    }
}
