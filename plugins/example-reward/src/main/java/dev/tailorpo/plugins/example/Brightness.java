package dev.tailorpo.plugins.example;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardInfo;

import java.util.List;

/**
 * The mean luma of each image, {@code Y' = 0.299 R + 0.587 G + 0.114 B} on the [0, 1] pixels (the
 * Rec. 601 weights PIL's {@code convert("L")} uses), or with a target t the closeness to it,
 * {@code -|mean Y' - t|}. Written only with NDArray ops on the images, so the score keeps the
 * autograd graph and the reward is differentiable (TailorPO-G can guide with it).
 */
public final class Brightness implements DifferentiableReward {
    private static final float[] LUMA = {0.299f, 0.587f, 0.114f};

    private final RewardInfo info;
    private final Float target;

    /** @param target the wanted mean luma in [0, 1], or {@code null} to reward brightness itself */
    public Brightness(Float target) {
        this.target = target;
        this.info = target == null
                ? new RewardInfo("brightness", "Brightness", 0, 1, true, true, 0)
                : new RewardInfo("brightness", "Brightness " + target, -Math.max(target, 1 - target), 0, true, true, 0);
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public NDArray scoreTensor(NDArray images, List<String> prompts) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(0) != prompts.size()) {
            throw new InvalidInputException("brightness: expected (B, 3, H, W) images and B prompts, got "
                    + s + " and " + prompts.size() + " prompts");
        }
        long b = s.get(0);
        // ops are called on the images, so every temporary lands in the caller's manager (DEVELOPING.md)
        NDArray weights = images.getManager().create(LUMA, new Shape(1, 3, 1));
        NDArray luma = images.reshape(b, 3, -1).mul(weights).sum(new int[] {1});   // (B, H*W)
        NDArray mean = luma.mean(new int[] {1});                                    // (B)
        return target == null ? mean : mean.sub(target).abs().neg();
    }
}
