package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.rewards.image.Images;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the CLIP-based rewards share: the frozen model and its manager (which they own and close),
 * a differentiable preprocessing to the model's own {@code image_size} (transformers' CLIP
 * processor, or open_clip's for open_clip checkpoints), and the checks on a batch. Scores are computed on the model's device; a differentiable score needs the images there
 * too, since moving a tensor between devices cuts its graph.
 */
abstract class ClipBackedReward implements DifferentiableReward {
    private final NDManager manager;
    private final ClipModel clip;
    private final UnaryOperator<NDArray> preprocess;
    private final RewardInfo info;

    /** @param preprocess images in [0, 1] to the model's {@code pixel_values}, keeping the graph */
    ClipBackedReward(NDManager manager, ClipModel clip, RewardInfo info, UnaryOperator<NDArray> preprocess) {
        this.manager = manager;
        this.clip = clip;
        this.preprocess = preprocess;
        this.info = info;
    }

    @Override
    public final RewardInfo info() {
        return info;
    }

    /** The CLIP model; its parameters are frozen. */
    public final ClipModel clip() {
        return clip;
    }

    final NDManager manager() {
        return manager;
    }

    @Override
    public final NDArray scoreTensor(NDArray images, List<String> prompts) {
        Images.checkBatch(info.id(), images, prompts);
        if (!images.getDevice().equals(manager.getDevice())) {
            throw new InvalidInputException(info.id() + ": images are on " + images.getDevice() + " but the model is on "
                    + manager.getDevice() + "; a differentiable score needs both on one device");
        }
        return scoreOnModelDevice(images, prompts);
    }

    /** {@link #scoreTensor} after the checks: (B) scores in the manager of {@code images}. */
    abstract NDArray scoreOnModelDevice(NDArray images, List<String> prompts);

    /** The unnormalised CLIP image embeddings of images in [0, 1], (B, projection_dim); differentiable. */
    final NDArray imageEmbeds(NDArray images) {
        return clip.imageEmbeds(preprocess.apply(images));
    }

    /** Scores without a graph, from images on any device; a non-finite score is an error naming the image. */
    @Override
    public final float[] score(NDArray images, List<String> prompts) {
        Images.checkBatch(info.id(), images, prompts);
        Images.requireFinite(info.id(), images);
        float[] scores;
        if (images.getDevice().equals(manager.getDevice())) {
            scores = DifferentiableReward.super.score(images, prompts);
        } else {
            try (NDManager scope = manager.newSubManager()) {
                NDArray moved = images.toDevice(manager.getDevice(), true);
                moved.attach(scope);
                scores = scoreTensor(moved, prompts).toFloatArray();
            }
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new InvalidInputException(info.id() + ": image " + i + " scored " + scores[i]
                        + " from finite pixels (are they far outside [0, 1]?)");
            }
        }
        return scores;
    }

    /** The device the model computes on. */
    public final Device device() {
        return manager.getDevice();
    }

    @Override
    public void close() {
        manager.close();
    }
}
