package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.testing.TestData;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The sd-tiny CLIP fixtures and checks shared by the CLIP reward tests. */
final class ClipFixtures {
    private ClipFixtures() {}

    /** The two texts behind the fixture's {@code input_ids} (testdata/sd-tiny/tokenizer/reference.json). */
    static final List<String> PROMPTS = List.of("a photo of a cat", "A Painting of a Zebra riding a bike!");

    static Path clipDir() {
        return TestData.sdTiny("clip");
    }

    static Path tinyHead() {
        return TestData.sdTiny("aesthetic", "model.safetensors");
    }

    static Path realHead() {
        return TestData.data("weights", "sac+logos+ava1-l14-linearMSE.pth");
    }

    static RewardContext context(Map<String, String> options) {
        return new RewardContext(Path.of("models"), Device.cpu(), options);
    }

    /** Every tensor of {@code testdata/sd-tiny/clip/reference.safetensors}, in {@code into}. */
    static Map<String, NDArray> reference(NDManager into) {
        Map<String, NDArray> out = new HashMap<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(clipDir().resolve("reference.safetensors"))) {
            for (String k : f.keys()) {
                out.put(k, f.load(k, into));
            }
        }
        return out;
    }

    /**
     * The images in [0, 1] (as far as the values go) whose CLIP normalisation is {@code pixelValues}:
     * the fixtures' {@code pixel_values} are Gaussian, not normalised images, so this inverse leaves
     * the unit range, which the rewards do not clamp.
     */
    static NDArray unnormalize(NDArray pixelValues) {
        NDManager m = pixelValues.getManager();
        return pixelValues.mul(m.create(ClipImageProcessor.STD, new Shape(1, 3, 1, 1)))
                .add(m.create(ClipImageProcessor.MEAN, new Shape(1, 3, 1, 1)));
    }
}
