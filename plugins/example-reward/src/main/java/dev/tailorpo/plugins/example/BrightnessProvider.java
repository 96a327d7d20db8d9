package dev.tailorpo.plugins.example;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.util.Set;

/**
 * {@code brightness}: the framework finds this class through
 * {@code META-INF/services/dev.tailorpo.api.reward.RewardProvider} in the plugin jar. A provider
 * needs a public no-argument constructor and must be cheap to build; the model is made in
 * {@link #create}. One option, {@code target} (a mean luma in [0, 1]); any other is rejected.
 */
public final class BrightnessProvider implements RewardProvider {

    @Override
    public String id() {
        return "brightness";
    }

    @Override
    public String description() {
        return "mean luma in [0, 1], or -|mean luma - target|; differentiable (example plugin)";
    }

    @Override
    public RewardModel create(RewardContext context) {
        context.requireKnown(id(), Set.of("target"));
        Double target = context.realOption(id(), "target", null);
        if (target == null) {
            return new Brightness(null);
        }
        if (!(target >= 0 && target <= 1)) {
            throw new ConfigException("brightness reward: option 'target' must be in [0, 1], got " + target);
        }
        return new Brightness(target.floatValue());
    }
}
