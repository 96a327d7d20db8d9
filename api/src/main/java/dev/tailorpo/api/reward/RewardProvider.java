package dev.tailorpo.api.reward;

import dev.tailorpo.api.plugin.Provider;
import dev.tailorpo.api.plugin.ServiceKind;

/**
 * Service interface for reward models. Register an implementation in
 * {@code META-INF/services/dev.tailorpo.api.reward.RewardProvider}.
 */
public interface RewardProvider extends Provider {

    /** The service kind under which the registry lists reward providers. */
    ServiceKind<RewardProvider> KIND = new ServiceKind<>("reward", RewardProvider.class);

    /** Builds the model, loading its weights. The caller closes it. */
    RewardModel create(RewardContext context);
}
