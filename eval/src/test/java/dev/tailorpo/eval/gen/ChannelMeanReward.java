package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardInfo;

import java.util.List;

/**
 * A constructed reward: the mean of one colour channel, plus 0.1 per character of the prompt;
 * differentiable, so the guidance analysis can use it too.
 */
final class ChannelMeanReward implements DifferentiableReward {
    private final RewardInfo info;
    private final int channel;

    ChannelMeanReward(String id, int channel, boolean higherIsBetter) {
        this.info = new RewardInfo(id, id, 0, Double.POSITIVE_INFINITY, higherIsBetter, true, 0);
        this.channel = channel;
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public NDArray scoreTensor(NDArray images, List<String> prompts) {
        long batch = images.getShape().get(0);
        float[] promptTerm = new float[(int) batch];
        for (int b = 0; b < promptTerm.length; b++) {
            promptTerm[b] = 0.1f * prompts.get(b).length();
        }
        NDArray channelMean = images.get(new NDIndex(":, {}", channel)).reshape(batch, -1).mean(new int[] {1});
        return channelMean.add(images.getManager().create(promptTerm).toDevice(images.getDevice(), false));
    }
}
