package dev.tailorpo.rewards.shapes;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.reward.RewardInfo;

import java.util.List;

/**
 * {@code shapes-aesthetic}: the shapes world's analogue of the LAION aesthetic score. A
 * {@link CriticNet} regresses the {@link dev.tailorpo.diffusion.shapes.QualityRating} (1 to 10,
 * higher is better) from the pixels alone; the prompt is not used. The rating is bounded, the
 * network is not: it may score slightly outside [1, 10] (0.9 to 10.2 seen on held-out renders).
 */
public final class ShapesAesthetic extends CriticReward {
    public static final String ID = CriticKind.AESTHETIC.rewardId();

    public ShapesAesthetic(CriticModel model) {
        super(model, new RewardInfo(ID, "Aesthetic (shapes)", 1, 10, true, true, model.net().config().imageSize()));
    }

    @Override
    NDArray fromOutputs(NDArray outputs, List<String> prompts) {
        return RatingHead.rating(outputs);
    }
}
