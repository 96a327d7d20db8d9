package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.testing.TestData;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Checks d(sum of scores)/d(pixels) by autograd against central finite differences at a few
     * pixels of a random batch; returns the worst |autograd - FD|.
     */
    static double checkGradient(DifferentiableReward reward, NDManager manager, Shape shape, List<String> prompts, long seed) {
        try (NDManager step = manager.newSubManager()) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] pixels = new float[(int) shape.size()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) r.nextDouble();
            }
            NDArray x = step.create(pixels, shape);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(reward.scoreTensor(x, prompts).sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            double scale = 0;
            for (float g : grad) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertTrue(scale > 0, "no gradient reached the image");
            long plane = shape.get(2) * shape.get(3);
            // a corner, an inner pixel of each channel, the last pixel, a random one
            int[] probes = {0, 77, (int) (plane + plane / 2 + 5), (int) (2 * plane + plane / 3), pixels.length - 1,
                r.nextInt(pixels.length)};
            double h = 1e-2;
            double worst = 0;
            for (int i : probes) {
                float up = (float) (pixels[i] + h);
                float down = (float) (pixels[i] - h);
                double fd = (total(reward, step, pixels, shape, prompts, i, up)
                        - total(reward, step, pixels, shape, prompts, i, down)) / (up - down);
                worst = Math.max(worst, Math.abs(fd - grad[i]));
                assertEquals(fd, grad[i], 2e-3 * scale + 1e-5, "d score / d pixel " + i + " of " + shape);
            }
            System.out.printf("%s gradient %s: max |autograd - central FD| %.3g (largest |grad| %.3g)%n",
                    reward.info().id(), shape, worst, scale);
            return worst;
        }
    }

    private static double total(DifferentiableReward reward, NDManager step, float[] pixels, Shape shape,
                                List<String> prompts, int i, float value) {
        try (NDManager probe = step.newSubManager()) {
            float[] moved = pixels.clone();
            moved[i] = value;
            double sum = 0;
            for (float s : reward.score(probe.create(moved, shape), prompts)) {
                sum += s;
            }
            return sum;
        }
    }
}
