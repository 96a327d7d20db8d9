package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerProvider;

import java.util.Set;

/** Provides {@link DdimScheduler} under id {@code ddim} for diffusers' {@code DDIMScheduler}. */
public final class DdimSchedulerProvider implements SchedulerProvider {

    @Override
    public String id() {
        return "ddim";
    }

    @Override
    public String description() {
        return "DDIM (diffusers DDIMScheduler), eta-controlled Gaussian steps with log-probabilities";
    }

    @Override
    public Set<String> diffusersClassNames() {
        return Set.of("DDIMScheduler");
    }

    @Override
    public NoiseScheduler create(SchedulerConfig config) {
        return new DdimScheduler(config);
    }
}
