package dev.tailorpo.rewards.imagereward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.TorchCheckpoint;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static dev.tailorpo.diffusion.testing.TestData.assertClose;
import static dev.tailorpo.diffusion.testing.TestData.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The model against the upstream code's tensors, at the model's size (no resizing involved). */
class ImageRewardModelTest {

    private static TensorSource open(String file) {
        return file.endsWith(".safetensors") ? SafeTensorsFile.open(ImageRewardFixture.file(file))
                : TorchCheckpoint.open(ImageRewardFixture.file(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageReward.pt", "model.safetensors"})
    void reproducesEveryStageOfTheUpstreamModel(String weights) {
        JsonNode config = ImageRewardFixture.config();
        try (NDManager m = NDManager.newBaseManager(); TensorSource source = open(weights)) {
            ImageRewardModel model = ImageRewardModel.load(source,
                    BertConfig.read(ImageRewardFixture.file("med_config.json")), ImageRewardFixture.visionHeads(), m);
            assertEquals(config.get("parameter_count").asLong(), model.parameterCount(), "parameters");
            JsonNode vision = config.get("vision");
            assertEquals(vision.get("image_size").asInt(), model.visionConfig().imageSize());
            assertEquals(vision.get("patch_size").asInt(), model.visionConfig().patchSize());
            assertEquals(vision.get("width").asInt(), model.visionConfig().width());
            assertEquals(vision.get("depth").asInt(), model.visionConfig().depth());
            assertEquals(vision.get("mlp_hidden").asInt(), model.visionConfig().mlpHidden());
            assertEquals(vision.get("layer_norm_eps").asDouble(), model.visionConfig().layerNormEps());
            assertEquals(config.get("text").get("encoder_width").asInt(), model.textConfig().encoderWidth(),
                    "the cross-attention reads the vision width, not med_config's encoder_width");
            assertEquals(config.get("score_mean").asDouble(), ImageRewardModel.SCORE_MEAN);
            assertEquals(config.get("score_std").asDouble(), ImageRewardModel.SCORE_STD);
            for (Param p : model.namedParameters().values()) {
                assertFalse(p.trainable(), p + " is trainable");
            }

            Map<String, NDArray> ref = ImageRewardFixture.tensors(m);
            NDArray pixels = ref.get("a.pixel_values");
            NDArray embeds = model.imageEmbeds(pixels);
            report("image_embeds", ref.get("a.tensor.image_embeds"), embeds);
            assertClose(ref.get("a.tensor.image_embeds"), embeds, 1e-4, 0, "image_embeds");
            NDArray ids = ref.get("input_ids");
            NDArray mask = ref.get("attention_mask");
            NDArray hidden = model.textFeature(ids, mask, embeds);
            report("text_cls", ref.get("a.tensor.text_cls"), hidden);
            assertClose(ref.get("a.tensor.text_cls"), hidden, 1e-4, 0, "text_cls");
            NDArray raw = model.head(hidden);
            assertClose(ref.get("a.tensor.mlp_out"), raw, 1e-4, 0, "mlp_out");
            NDArray scores = model.score(pixels, ids, mask);
            report("scores", ref.get("a.tensor.scores"), scores);
            assertClose(ref.get("a.tensor.scores"), scores, 1e-4, 0, "scores");
        }
    }

    private static void report(String what, NDArray expected, NDArray actual) {
        System.out.printf("imagereward-tiny %s: max |diff| %.3g%n", what, maxAbsDiff(expected, actual));
    }
}
