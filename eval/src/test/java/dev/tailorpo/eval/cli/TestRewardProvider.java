package dev.tailorpo.eval.cli;

import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

/** A reward provider on the test class path, for {@code tailor plugins}. */
public final class TestRewardProvider implements RewardProvider {
    @Override
    public String id() {
        return "test-reward";
    }

    @Override
    public String description() {
        return "a reward for the CLI tests";
    }

    @Override
    public RewardModel create(RewardContext context) {
        throw new UnsupportedOperationException("a listing-only provider");
    }
}
