package dev.tailorpo.api.plugin;

/**
 * Something the framework finds with {@link java.util.ServiceLoader}: a reward model, a training
 * method, a noise scheduler. Each kind of provider is its own service interface extending this one;
 * {@link PluginRegistry} discovers them on the class path and in a plugins folder.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to construct: heavy
 * work (loading weights) belongs in the factory methods of the sub-interfaces.
 */
public interface Provider {

    /** The stable id users write in configs and on the command line, e.g. {@code shapes-aesthetic}. */
    String id();

    /** One line saying what this provider is, shown by {@code tailor plugins}. */
    String description();

    /**
     * The provider's version. Defaults to the {@code Implementation-Version} of the jar it came
     * from, or {@code dev} when run from classes that were not packaged.
     */
    default String version() {
        String v = getClass().getPackage() == null ? null : getClass().getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
