package dev.tailorpo.eval.gen;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

/**
 * A working reward on the test class path for {@code tailor eval}: {@code test-channel}, the mean
 * of one colour channel (option {@code channel}, default 0) plus 0.1 per prompt character.
 */
public final class TestChannelRewardProvider implements RewardProvider {
    @Override
    public String id() {
        return "test-channel";
    }

    @Override
    public String description() {
        return "mean of one colour channel, for the eval tests";
    }

    @Override
    public RewardModel create(RewardContext context) {
        for (String k : context.options().keySet()) {
            if (!k.equals("channel")) {
                throw new ConfigException("test-channel has no option '" + k + "'");
            }
        }
        int channel = Integer.parseInt(context.option("channel", "0"));
        return new ChannelMeanReward("test-channel", channel, true);
    }
}
