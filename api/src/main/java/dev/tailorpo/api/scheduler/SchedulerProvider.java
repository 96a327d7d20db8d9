package dev.tailorpo.api.scheduler;

import dev.tailorpo.api.plugin.Provider;
import dev.tailorpo.api.plugin.ServiceKind;

import java.util.Set;

/**
 * Service interface for noise schedulers (DDIM, DDPM, later solvers). Register an implementation in
 * {@code META-INF/services/dev.tailorpo.api.scheduler.SchedulerProvider}.
 */
public interface SchedulerProvider extends Provider {

    /** The service kind under which the registry lists scheduler providers. */
    ServiceKind<SchedulerProvider> KIND = new ServiceKind<>("scheduler", SchedulerProvider.class);

    /** The diffusers class names this provider implements, e.g. {@code DDIMScheduler}. */
    Set<String> diffusersClassNames();

    /** Builds a scheduler for the given configuration. */
    NoiseScheduler create(SchedulerConfig config);
}
