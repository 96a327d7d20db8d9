package dev.tailorpo.eval.plugins;

import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ServiceKind;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.api.scheduler.SchedulerProvider;
import dev.tailorpo.api.trainer.TrainerProvider;

import java.nio.file.Path;
import java.util.List;

/** The kinds of provider the application looks up: add a new kind here and everything lists it. */
public final class ProviderKinds {
    private ProviderKinds() {}

    /** Every built-in kind, in the order listings show them. */
    public static final List<ServiceKind<?>> BUILT_IN =
            List.of(RewardProvider.KIND, TrainerProvider.KIND, SchedulerProvider.KIND);

    /**
     * Discovers the providers of every built-in kind on the application's class path and in
     * {@code pluginsDir} (none when null or missing). The caller closes the registry.
     */
    public static PluginRegistry discover(Path pluginsDir) {
        return PluginRegistry.discover(BUILT_IN, ProviderKinds.class.getClassLoader(), pluginsDir);
    }
}
