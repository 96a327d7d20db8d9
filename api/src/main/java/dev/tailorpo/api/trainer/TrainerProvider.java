package dev.tailorpo.api.trainer;

import dev.tailorpo.api.plugin.Provider;
import dev.tailorpo.api.plugin.ServiceKind;

import java.util.Map;

/**
 * Service interface for preference-training methods (TailorPO, TailorPO-G, D3PO, SPO, DDPO, ...).
 * Register an implementation in {@code META-INF/services/dev.tailorpo.api.trainer.TrainerProvider}.
 */
public interface TrainerProvider extends Provider {

    /** The service kind under which the registry lists trainer providers. */
    ServiceKind<TrainerProvider> KIND = new ServiceKind<>("trainer", TrainerProvider.class);

    /**
     * The method's settings with their defaults, keyed as in configs (snake_case), e.g.
     * {@code beta: 0.1}. Includes the learning rate the method is tuned for ({@code lr}). A user
     * setting whose key is not here is rejected.
     */
    Map<String, Object> defaults();

    /** Binds the method to validated settings. */
    TrainingMethod<?> create(MethodSettings settings);
}
