package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.TorchCheckpoint;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static dev.tailorpo.diffusion.testing.TestData.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HPSv2's open_clip ViT-H-14 layout (testdata/hpsv2-tiny, computed by HPSv2's vendored open_clip)
 * run on {@link ClipModel} through {@link OpenClipConfig} and {@link OpenClipStateDict}.
 */
class OpenClipParityTest {
    private static Path dir() {
        return TestData.testdata("hpsv2-tiny");
    }

    private static TensorSource open(String file) {
        Path p = dir().resolve(file);
        return file.endsWith(".safetensors") ? SafeTensorsFile.open(p) : TorchCheckpoint.open(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HPS_tiny.pt", "model.safetensors"})
    void reproducesOpenClipFeaturesFromEitherWeightFile(String weights) throws IOException {
        JsonNode reference = new ObjectMapper().readTree(dir().resolve("reference.json").toFile());
        JsonNode keys = new ObjectMapper().readTree(dir().resolve("keys.json").toFile());
        ClipConfig config = OpenClipConfig.read(dir().resolve("open_clip_config.json"));
        try (NDManager m = NDManager.newBaseManager(); TensorSource source = OpenClipStateDict.of(open(weights))) {
            ClipModel model = new ClipModel(config);
            model.loadWeights(source, m);
            assertEquals(keys.get("parameter_count").asLong(), model.parameterCount(), "parameters");

            Map<String, NDArray> ref = new HashMap<>();
            try (SafeTensorsFile f = SafeTensorsFile.open(dir().resolve("reference.safetensors"))) {
                for (String k : f.keys()) {
                    ref.put(k, f.load(k, m));
                }
            }
            NDArray text = model.textEmbeds(ref.get("text.input_ids"));
            System.out.printf("hpsv2-tiny %s text features: max |diff| %.3g%n", weights, maxAbsDiff(ref.get("text.features_raw"), text));
            assertClose(ref.get("text.features_raw"), text, 1e-4, 0, "text.features_raw");
            NDArray textUnit = ClipModel.l2Normalize(text);
            for (Iterator<String> it = reference.get("batches").fieldNames(); it.hasNext(); ) {
                String batch = it.next();
                int n = reference.get("batches").get(batch).get("count").asInt();
                NDArray image = model.imageEmbeds(ref.get(batch + ".pixel_values"));
                System.out.printf("hpsv2-tiny %s %s image features: max |diff| %.3g%n", weights, batch,
                        maxAbsDiff(ref.get(batch + ".image_features_raw"), image));
                assertClose(ref.get(batch + ".image_features_raw"), image, 1e-4, 0, batch + ".image_features_raw");
                NDArray scores = ClipModel.l2Normalize(image).matMul(textUnit.transpose());
                assertClose(ref.get(batch + ".scores"), scores, 1e-4, 0, batch + ".scores");
                assertEquals(n, scores.getShape().get(0));
            }
        }
    }
}
