package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;

import java.util.List;

/** A constructed reward: the mean of one colour channel, plus 0.1 per character of the prompt. */
final class ChannelMeanReward implements RewardModel {
    private final RewardInfo info;
    private final int channel;

    ChannelMeanReward(String id, int channel, boolean higherIsBetter) {
        this.info = new RewardInfo(id, id, 0, Double.POSITIVE_INFINITY, higherIsBetter, false, 0);
        this.channel = channel;
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public float[] score(NDArray images, List<String> prompts) {
        long[] s = images.getShape().getShape();
        float[] v = images.toFloatArray();
        int plane = (int) (s[2] * s[3]);
        float[] out = new float[(int) s[0]];
        for (int b = 0; b < out.length; b++) {
            double sum = 0;
            int base = (int) (b * s[1] * plane + channel * plane);
            for (int i = 0; i < plane; i++) {
                sum += v[base + i];
            }
            out[b] = (float) (sum / plane + 0.1 * prompts.get(b).length());
        }
        return out;
    }
}
