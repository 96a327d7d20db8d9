package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerProvider;

import java.util.Set;

/** Provides {@link DdpmScheduler} under id {@code ddpm} for diffusers' {@code DDPMScheduler}. */
public final class DdpmSchedulerProvider implements SchedulerProvider {

    @Override
    public String id() {
        return "ddpm";
    }

    @Override
    public String description() {
        return "DDPM (diffusers DDPMScheduler), ancestral posterior steps with log-probabilities";
    }

    @Override
    public Set<String> diffusersClassNames() {
        return Set.of("DDPMScheduler");
    }

    @Override
    public NoiseScheduler create(SchedulerConfig config) {
        return new DdpmScheduler(config);
    }
}
