package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipConfigTest {

    @Test
    void readsATextEncoderConfig() {
        ClipTextConfig c = ClipTextConfig.read(TestData.sdTiny("text_encoder", "config.json"));
        assertEquals(new ClipTextConfig(674, 32, 37, 2, 4, 77, ClipActivation.QUICK_GELU, 1e-5, 16, 672, 673, 673), c);
        assertEquals(8, c.headDim());
    }

    @Test
    void readsBothTowersOfAClipModelConfig() {
        Path file = TestData.sdTiny("clip", "config.json");
        ClipConfig c = ClipConfig.read(file);
        assertEquals(ClipTextConfig.read(TestData.sdTiny("text_encoder", "config.json")), c.text());
        assertEquals(c.text(), ClipTextConfig.read(file));
        assertEquals(new ClipVisionConfig(32, 37, 2, 4, 3, 32, 8, ClipActivation.QUICK_GELU, 1e-5, 16), c.vision());
        assertEquals(c.vision(), ClipVisionConfig.read(file));
        assertEquals(17, c.vision().numPositions());
        assertEquals(16, c.projectionDim());
        assertEquals(2.6592, c.logitScaleInit(), 1e-12);
    }

    @Test
    void absentKeysTakeTransformersDefaults(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"clip\"}");
        ClipConfig c = ClipConfig.read(file);
        assertEquals(new ClipTextConfig(49408, 512, 2048, 12, 8, 77, ClipActivation.QUICK_GELU, 1e-5, 512, 49406, 49407, 1), c.text());
        assertEquals(new ClipVisionConfig(768, 3072, 12, 12, 3, 224, 32, ClipActivation.QUICK_GELU, 1e-5, 512), c.vision());
    }

    @Test
    void badConfigsNameTheFileAndKey(@TempDir Path dir) throws IOException {
        Path relu = Files.writeString(dir.resolve("relu.json"), "{\"hidden_act\": \"relu\"}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTextConfig.read(relu));
        assertTrue(e.getMessage().contains("relu.json") && e.getMessage().contains("hidden_act"), e.getMessage());
        Path heads = Files.writeString(dir.resolve("heads.json"), "{\"hidden_size\": 30, \"num_attention_heads\": 4}");
        e = assertThrows(ModelFormatException.class, () -> ClipTextConfig.read(heads));
        assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"hidden_size\": ");
        e = assertThrows(ModelFormatException.class, () -> ClipTextConfig.read(broken));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTextModel.load(dir, m));
            assertTrue(e.getMessage().contains("missing model config") && e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
            Files.copy(TestData.sdTiny("text_encoder", "config.json"), dir.resolve("config.json"));
            e = assertThrows(ModelFormatException.class, () -> ClipTextModel.load(dir, m));
            assertTrue(e.getMessage().contains("missing weights file") && e.getMessage().contains("model.safetensors"), e.getMessage());
            Files.copy(TestData.sdTiny("clip", "config.json"), dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            e = assertThrows(ModelFormatException.class, () -> ClipModel.load(dir, m));
            assertTrue(e.getMessage().contains("missing weights file"), e.getMessage());
        }
    }

    @Test
    void weightsThatDoNotFitTheConfigAreListed(@TempDir Path dir) throws IOException {
        String config = Files.readString(TestData.sdTiny("text_encoder", "config.json"))
                .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
        Files.writeString(dir.resolve("config.json"), config);
        Files.copy(TestData.sdTiny("text_encoder", "model.legacy-keys.safetensors"), dir.resolve("model.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTextModel.load(dir, m));
            assertTrue(e.getMessage().contains("missing keys") && e.getMessage().contains("text_model.encoder.layers.2.mlp.fc1.weight"), e.getMessage());
        }
    }
}
