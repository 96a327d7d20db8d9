package dev.tailorpo.diffusion.models.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reward guidance needs d(reward)/d(image) through CLIP: autograd through the preprocessing and the
 * vision tower must agree with central finite differences, and the frozen model gets no gradient.
 */
class ClipGradientTest {

    @Test
    void imageEmbedsGradientMatchesFiniteDifferences() {
        try (NDManager model = NDManager.newBaseManager()) {
            ClipModel clip = ClipModel.load(TestData.sdTiny("clip"), model);
            int arrays = ((BaseNDManager) model).getManagedArrays().size();
            // 32x32 is the model's size (no resampling); 24x24 goes through bicubic resizing
            for (int side : new int[] {32, 24}) {
                checkGradient(clip, model, side);
            }
            // every activation, gradient and temporary lived in the step manager (first-operand rule)
            assertEquals(arrays, ((BaseNDManager) model).getManagedArrays().size(), "the model's manager grew");
            for (Param p : clip.namedParameters().values()) {
                assertFalse(p.trainable());
                assertFalse(p.array().hasGradient(), "frozen parameter has a gradient");
            }
        }
    }

    private static void checkGradient(ClipModel clip, NDManager model, int side) {
        try (NDManager step = model.newSubManager()) {
            SplittableRandom r = new SplittableRandom(side);
            Shape shape = new Shape(2, 3, side, side);
            float[] pixels = new float[(int) shape.size()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) r.nextDouble();
            }
            float[] v = new float[clip.config().projectionDim()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            NDArray direction = step.create(v);

            NDArray x = step.create(pixels, shape);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(objective(clip, x, direction));
            }
            float[] grad = x.getGradient().toFloatArray();
            double scale = 0;
            for (float g : grad) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertTrue(scale > 0, "no gradient reached the image");

            double h = 1e-2;
            int[] probes = {0, 77, side * side + 5, 3 * side * side + side * side / 2, pixels.length - 1, r.nextInt(pixels.length)};
            double worst = 0;
            for (int i : probes) {
                float up = (float) (pixels[i] + h);
                float down = (float) (pixels[i] - h);  // the step actually taken in float32
                double fd = (at(clip, step, pixels, shape, direction, i, up) - at(clip, step, pixels, shape, direction, i, down)) / (up - down);
                worst = Math.max(worst, Math.abs(fd - grad[i]));
                assertEquals(fd, grad[i], 1e-3 * scale + 1e-4, "d objective / d pixel " + i + " (" + side + "px)");
            }
            System.out.printf("gradient %dpx: max |autograd - central FD| %.3g (largest |grad| %.3g)%n", side, worst, scale);
        }
    }

    /** The objective with pixel {@code i} set to {@code value}. */
    private static double at(ClipModel clip, NDManager step, float[] pixels, Shape shape, NDArray direction, int i, float value) {
        try (NDManager probe = step.newSubManager()) {
            float[] moved = pixels.clone();
            moved[i] = value;
            return objective(clip, probe.create(moved, shape), direction).getFloat();
        }
    }

    /** sum over the batch of image_embeds . v, from images in [0, 1]. */
    private static NDArray objective(ClipModel clip, NDArray images01, NDArray direction) {
        return clip.imageEmbeds(clip.imageProcessor().preprocess(images01)).mul(direction).sum();
    }
}
