package dev.tailorpo.api.plugin;

/**
 * One discovered provider and where it came from.
 *
 * @param kind the service it implements, e.g. {@code reward}
 * @param id its stable id
 * @param version its version
 * @param source the jar or class folder it was loaded from
 * @param provider the instance
 */
public record ProviderEntry(String kind, String id, String version, String source, Provider provider) {}
