package dev.tailorpo.eval.cli;

import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerProvider;

import java.util.Set;

/** A scheduler provider on the test class path, for {@code tailor plugins}. */
public final class TestSchedulerProvider implements SchedulerProvider {
    @Override
    public String id() {
        return "test-scheduler";
    }

    @Override
    public String description() {
        return "a scheduler for the CLI tests";
    }

    @Override
    public Set<String> diffusersClassNames() {
        return Set.of("TestScheduler");
    }

    @Override
    public NoiseScheduler create(SchedulerConfig config) {
        throw new UnsupportedOperationException("a listing-only provider");
    }
}
