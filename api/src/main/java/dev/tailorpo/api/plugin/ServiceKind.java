package dev.tailorpo.api.plugin;

import java.util.Objects;

/**
 * A kind of provider: a name for listings and the service interface {@link java.util.ServiceLoader}
 * looks up. The built-in kinds are declared next to their interfaces (for example
 * {@code RewardProvider.KIND}); {@link PluginRegistry} is told which kinds to scan.
 *
 * @param name the short name shown to users, e.g. {@code reward}
 * @param service the service interface
 * @param <T> the provider type
 */
public record ServiceKind<T extends Provider>(String name, Class<T> service) {
    public ServiceKind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
    }
}
