package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Parity with transformers 5.17 on the sd-tiny fixtures (float32, CPU): the text encoder in both
 * key layouts, and CLIPModel's image and text features, logits, and the preprocessing path from
 * images in [0, 1] checked through the aesthetic head.
 */
class ClipParityTest {
    private static final double ATOL = 1e-4;
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Every tensor of a safetensors file, in {@code into}. */
    static Map<String, NDArray> readAll(Path file, NDManager into) {
        Map<String, NDArray> out = new HashMap<>();
        try (TensorSource s = SafeTensorsFile.open(file)) {
            for (String k : s.keys()) {
                out.put(k, s.load(k, into));
            }
        }
        return out;
    }

    private static void check(NDArray expected, NDArray actual, String what) {
        System.out.printf("parity %-45s max |diff| %.3g%n", what, TestData.maxAbsDiff(expected, actual));
        TestData.assertClose(expected, actual, ATOL, 0, what);
    }

    @Test
    void textEncoderInBothKeyLayouts() {
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> ref = readAll(TestData.sdTiny("text_encoder", "reference.safetensors"), step);
            for (String file : new String[] {"model.safetensors", "model.legacy-keys.safetensors"}) {
                ClipTextModel model = ClipTextModel.load(TestData.sdTiny("text_encoder"), file, step);
                ClipTextModel.Output out = model.forward(ref.get("input_ids"));
                check(ref.get("last_hidden_state"), out.lastHiddenState(), file + " last_hidden_state");
                check(ref.get("pooler_output"), out.pooledOutput(), file + " pooler_output");
            }
        }
    }

    @Test
    void clipFeaturesAndLogits() {
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> ref = readAll(TestData.sdTiny("clip", "reference.safetensors"), step);
            ClipModel clip = ClipModel.load(TestData.sdTiny("clip"), step);
            check(ref.get("image_embeds"), clip.imageEmbeds(ref.get("pixel_values")), "clip image_embeds");
            check(ref.get("text_embeds"), clip.textEmbeds(ref.get("input_ids")), "clip text_embeds");
            check(ref.get("logits_per_image"), clip.logitsPerImage(ref.get("pixel_values"), ref.get("input_ids")), "clip logits_per_image");
            // the text tower of a CLIPModel file loads on its own (prefix detected)
            ClipTextModel text = ClipTextModel.load(TestData.sdTiny("clip"), step);
            TestData.assertClose(clip.textModel().forward(ref.get("input_ids")).pooledOutput(),
                    text.forward(ref.get("input_ids")).pooledOutput(), 0, 0, "text tower alone");
        }
    }

    @Test
    void imagesInUnitRangeThroughPreprocessingAndTheAestheticHead() {
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> ref = readAll(TestData.sdTiny("clip", "reference.safetensors"), step);
            Map<String, NDArray> head = readAll(TestData.sdTiny("aesthetic", "model.safetensors"), step);
            ClipModel clip = ClipModel.load(TestData.sdTiny("clip"), step);
            // the head on pixel_values first, so that a mismatch below can only be preprocessing
            check(ref.get("aesthetic_score"), aesthetic(head, clip.imageEmbeds(ref.get("pixel_values"))), "aesthetic_score");
            NDArray pixels = clip.imageProcessor().preprocess(ref.get("images01"));
            check(ref.get("aesthetic_score_images01"), aesthetic(head, clip.imageEmbeds(pixels)), "aesthetic_score_images01");
        }
    }

    /** The LAION aesthetic MLP (no activations) on L2-normalised embeddings, as the fixture's. */
    static NDArray aesthetic(Map<String, NDArray> head, NDArray embeds) {
        NDArray x = ClipTensors.l2Normalize(embeds);
        for (int i : new int[] {0, 2, 4, 6, 7}) {
            x = F.linear(x, head.get("layers." + i + ".weight"), head.get("layers." + i + ".bias"));
        }
        return x;
    }
}
