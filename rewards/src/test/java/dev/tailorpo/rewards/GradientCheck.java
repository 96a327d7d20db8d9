package dev.tailorpo.rewards;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.reward.DifferentiableReward;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check every differentiable reward's test runs: its autograd pixel gradient against finite differences. */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * Checks d(sum of scores)/d(pixels) by autograd against central finite differences at a few
     * pixels of a random batch; returns the worst |autograd - FD|.
     */
    public static double check(DifferentiableReward reward, NDManager manager, Shape shape, List<String> prompts, long seed) {
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
