package dev.tailorpo.trainers.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.PolicyStep;
import dev.tailorpo.api.trainer.TrainingContext;

import java.util.List;

/**
 * The rollout pieces every method's {@code collect} shares: the denoising loop with its per-step
 * memory scope, drawing candidates from one x_t, row-wise selection, keeping rows past a step, and
 * the rewards of the final images. The methods differ only in what a step does (see {@link Step}).
 */
public final class Rollouts {
    private Rollouts() {}

    /** What a method does at one step of a rollout. */
    @FunctionalInterface
    public interface Step {
        /**
         * The next state from {@code x} at step index {@code stepIndex}. {@code x} and everything
         * made in {@code scope} are freed after the step: rows a method keeps (in samples) must be
         * copied with {@link #keepRow}.
         */
        NDArray next(NDManager scope, int stepIndex, NDArray x);
    }

    /**
     * Runs the policy's steps 0 .. T-1 from {@code x}, each in its own sub-manager of the
     * iteration's manager, and returns the final sample (attached to {@code ctx.manager()}).
     */
    public static NDArray denoise(TrainingContext ctx, NDArray x, Step step) {
        return denoise(ctx.manager(), x, ctx.policy().steps(), step);
    }

    /**
     * Runs steps 0 .. {@code steps}-1 from {@code x}, each in its own sub-manager of {@code keep},
     * and returns the final state (attached to {@code keep}; {@code x} itself when {@code steps} is 0).
     * Without a {@link TrainingContext}, so that the analyses, which roll out a policy outside
     * training, free each step's intermediates the same way the methods do: memory stays at one
     * step's worth however many steps run.
     */
    public static NDArray denoise(NDManager keep, NDArray x, int steps, Step step) {
        for (int i = 0; i < steps; i++) {
            try (NDManager scope = keep.newSubManager()) {
                x.attach(scope);
                NDArray next = step.next(scope, i, x);
                next.attach(keep);
                x = next;
            }
        }
        return x;
    }

    /**
     * {@code k} samples of pi(. | x, c) at step {@code stepIndex}, all from the same x: candidate j
     * uses the noise keyed {@code (space, stepIndex, j)}. Candidate 0 is the policy's own step, so
     * {@code k = 1} is a plain policy step.
     */
    public static NDArray[] candidates(TrainingContext ctx, Conditioning c, NDArray x, int stepIndex, int k,
                                       NDManager scope, long space) {
        Shape shape = x.getShape();
        PolicyStep step = ctx.policy().step(c, x, stepIndex, ctx.noise(scope, shape, space, stepIndex, 0));
        NDArray[] out = new NDArray[k];
        out[0] = step.next();
        for (int j = 1; j < k; j++) {
            out[j] = step.gaussian().sample(ctx.noise(scope, shape, space, stepIndex, j));
        }
        return out;
    }

    /** Row-wise selection: row r of the result is row r of {@code options[choice[r]]}. */
    public static NDArray pick(NDArray[] options, int[] choice) {
        NDList rows = new NDList();
        for (int r = 0; r < choice.length; r++) {
            rows.add(options[choice[r]].get(r + ":" + (r + 1)));
        }
        return NDArrays.concat(rows, 0);
    }

    /** One row (1, ...) copied into {@code keep}, to outlive the step's scope. */
    public static NDArray keepRow(NDArray x, int row, NDManager keep) {
        NDArray r = x.get(row + ":" + (row + 1)).duplicate();
        r.attach(keep);
        return r;
    }

    /** Every row of {@code x} copied with {@link #keepRow}. */
    public static NDArray[] keepRows(NDArray x, NDManager keep) {
        NDArray[] out = new NDArray[Math.toIntExact(x.getShape().get(0))];
        for (int row = 0; row < out.length; row++) {
            out[row] = keepRow(x, row, keep);
        }
        return out;
    }

    /** The reward of the final samples' images, one per row, as the reward model gives it. */
    public static float[] finalRewards(TrainingContext ctx, NDArray samples, List<String> prompts) {
        try (NDManager scope = ctx.manager().newSubManager()) {
            NDArray images = ctx.policy().toImages(samples);
            images.attach(scope);
            return ctx.reward().score(images, prompts);
        }
    }

    /** The scores turned so that larger is better (the reward's {@code higherIsBetter}). */
    public static float[] preferences(TrainingContext ctx, float[] scores) {
        float[] out = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = (float) ctx.reward().info().preference(scores[i]);
        }
        return out;
    }

    /** The sample shape of {@code rows} rows. */
    public static Shape batchShape(DiffusionPolicy policy, int rows) {
        return new Shape(rows).addAll(policy.sampleShape());
    }
}
