package dev.tailorpo.rewards.image;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardInfo;

import java.util.List;

/**
 * Hasler and Suesstrunk's colourfulness (2003) on the 0..255 scale, differentiable:
 *
 * <pre>
 *   rg = R - G,   yb = (R + G) / 2 - B
 *   M  = sqrt(sd(rg)^2 + sd(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)
 * </pre>
 *
 * with population standard deviations over the pixels of each image. A grey image scores 0; the
 * authors' scale calls 33 "moderately", 59 "quite" and 82 "highly" colourful. A tiny epsilon under
 * each root keeps the gradient finite at grey images.
 */
public final class Colorfulness implements DifferentiableReward {
    private static final RewardInfo INFO = new RewardInfo("colorfulness", "Colourfulness", 0,
            Double.POSITIVE_INFINITY, true, true, 0);
    private static final float EPS = 1e-6f;

    @Override
    public RewardInfo info() {
        return INFO;
    }

    @Override
    public NDArray scoreTensor(NDArray images, List<String> prompts) {
        Images.checkBatch(INFO.id(), images, prompts);
        long b = images.getShape().get(0);
        NDArray x = Scalars.mul(images, 255).reshape(b, 3, -1);
        NDArray r = x.get(":, 0, :");
        NDArray g = x.get(":, 1, :");
        NDArray bl = x.get(":, 2, :");
        NDArray rg = r.sub(g);
        NDArray yb = Scalars.mul(r.add(g), 0.5).sub(bl);
        NDArray meanRg = rg.mean(new int[] {1});
        NDArray meanYb = yb.mean(new int[] {1});
        NDArray varRg = rg.sub(meanRg.expandDims(1)).square().mean(new int[] {1});
        NDArray varYb = yb.sub(meanYb.expandDims(1)).square().mean(new int[] {1});
        NDArray spread = varRg.add(varYb).add(EPS).sqrt();
        NDArray centre = meanRg.square().add(meanYb.square()).add(EPS).sqrt();
        return spread.add(Scalars.mul(centre, 0.3));
    }
}
