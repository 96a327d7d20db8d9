package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.scheduler.Gaussian;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The denoising policy as preference methods see it: a text-conditioned sampler with
 * classifier-free guidance whose every step is a Gaussian, over a fixed inference schedule of
 * {@link #steps()} steps. Step index i goes from x at timestep {@code timestep(i)} to the next
 * state; index {@code steps()} denotes the final sample.
 *
 * <p>The trained policy and the frozen reference share one network: the reference is the network
 * with its adapters switched off (or a frozen copy when every weight is trained).
 *
 * <p>Results live in the manager of the tensor argument {@code x}. Methods that do not say
 * otherwise run without recording an autograd graph.
 */
public interface DiffusionPolicy {

    /** The number of inference steps T. */
    int steps();

    /** The training-schedule timestep of step index i (0 = noisiest). */
    int timestep(int stepIndex);

    /** The shape of one sample (C, H, W) in the space the model denoises (latents or pixels). */
    Shape sampleShape();

    /** Encodes prompts for guided denoising; the tensors live in {@code manager}. */
    Conditioning encode(List<String> prompts, NDManager manager);

    /**
     * One step of the trained policy from {@code x} at step {@code stepIndex} with the given
     * standard-normal {@code noise} (of x's shape).
     */
    PolicyStep step(Conditioning c, NDArray x, int stepIndex, NDArray noise);

    /**
     * x0_hat of {@code x} read at step index {@code stepIndex}'s timestep, under the trained
     * policy's guided noise prediction. When {@code x} requires a gradient and a collector is open,
     * the result keeps the graph (through the network unless {@code epsConstant}, in which case
     * the noise prediction is treated as a constant).
     */
    NDArray predictX0(Conditioning c, NDArray x, int stepIndex, boolean epsConstant);

    /**
     * {@link #predictX0} as functions of x whose sum it is, so that a gradient through it can be
     * taken one network pass at a time (classifier-free guidance's unconditional and conditional
     * parts); one term by default.
     */
    default List<UnaryOperator<NDArray>> predictX0Terms(Conditioning c, int stepIndex, boolean epsConstant) {
        return List.of(x -> predictX0(c, x, stepIndex, epsConstant));
    }

    /**
     * The Gaussian pi(. | x, c) of step {@code stepIndex} without sampling. For
     * {@link Branch#POLICY} inside an open gradient collector its mean keeps the graph to the
     * trainable weights, directly or through {@link #finishBackward}; for {@link Branch#REFERENCE}
     * it is computed without a graph. Log-probs of any number of next states then cost one network
     * evaluation.
     */
    Gaussian transition(Conditioning c, NDArray x, int stepIndex, Branch branch);

    /**
     * Carries the backward pass just taken into the trainable weights, for a policy that recomputes
     * its network's graph afterwards instead of holding it during the loss (gradient checkpointing):
     * there, a {@link Branch#POLICY} transition's mean is a leaf without the network's graph, and
     * this pushes the gradient the leaf received through the recomputed network. Call it after every
     * backward pass of a loss built on such transitions, with no gradient collector open (only one
     * can be). A no-op for a policy that keeps the graph, the default.
     */
    default void finishBackward() {}

    /** Maps samples (latents or pixels) to images in [0, 1], differentiably. */
    NDArray toImages(NDArray samples);

    /**
     * {@link #toImages} as stages whose composition it is, so that a gradient through it can be
     * taken one stage at a time; a policy with a large decoder splits it (one stage by default).
     */
    default List<UnaryOperator<NDArray>> toImagesStages() {
        return List.of(this::toImages);
    }

    /** Which weights to evaluate. */
    enum Branch {
        /** The weights being trained. */
        POLICY,
        /** The frozen pretrained weights. */
        REFERENCE
    }
}
