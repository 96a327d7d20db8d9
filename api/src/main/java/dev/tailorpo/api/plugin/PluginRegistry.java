package dev.tailorpo.api.plugin;

import dev.tailorpo.api.PluginException;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds providers with {@link ServiceLoader}: first on the application class path, then in a
 * plugins folder where each {@code *.jar} file, or each sub-folder of jars, is one plugin with its
 * own class loader (whose parent is the framework's, so the SPI types are shared). Other files, and
 * entries whose names start with a dot, are ignored; a sub-folder without a jar is an error.
 *
 * <p>Ids are unique per kind: a second provider with an id already taken fails with a message
 * naming both sources, and asking for an unknown id fails with the list of known ones. Plugins are
 * loaded only from the folder given here; nothing else on disk is scanned.
 */
public final class PluginRegistry implements AutoCloseable {

    private final List<ServiceKind<?>> kinds;
    private final Map<String, Map<String, ProviderEntry>> byKind = new LinkedHashMap<>();
    private final List<URLClassLoader> pluginLoaders = new ArrayList<>();

    private PluginRegistry(List<ServiceKind<?>> kinds) {
        this.kinds = List.copyOf(kinds);
        for (ServiceKind<?> kind : kinds) {
            byKind.put(kind.name(), new LinkedHashMap<>());
        }
    }

    /**
     * Discovers the providers of the given kinds.
     *
     * @param kinds the service kinds to look up
     * @param classPath the class loader of the application (providers built into the framework)
     * @param pluginsDir a folder of plugin jars, or {@code null} for none; a missing folder is empty
     */
    public static PluginRegistry discover(List<ServiceKind<?>> kinds, ClassLoader classPath, Path pluginsDir) {
        PluginRegistry registry = new PluginRegistry(kinds);
        try {
            registry.scan(classPath, null);
            if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
                for (Path plugin : pluginsIn(pluginsDir)) {
                    URLClassLoader loader = new URLClassLoader("plugin:" + plugin.getFileName(), jarUrls(plugin), classPath);
                    registry.pluginLoaders.add(loader);
                    registry.scan(loader, loader);
                }
            }
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Returns the provider of this kind with this id, or fails naming the known ids. */
    public <T extends Provider> T get(ServiceKind<T> kind, String id) {
        Map<String, ProviderEntry> entries = entriesOf(kind);
        ProviderEntry entry = entries.get(id);
        if (entry == null) {
            throw new PluginException("unknown " + kind.name() + " '" + id + "'; known " + kind.name() + " ids: "
                    + (entries.isEmpty() ? "(none)" : String.join(", ", entries.keySet())));
        }
        return kind.service().cast(entry.provider());
    }

    /** All providers of one kind, in discovery order. */
    public <T extends Provider> List<T> all(ServiceKind<T> kind) {
        return entriesOf(kind).values().stream().map(e -> kind.service().cast(e.provider())).toList();
    }

    /** Every discovered provider, sorted by kind then id. */
    public List<ProviderEntry> entries() {
        return byKind.values().stream().flatMap(m -> m.values().stream())
                .sorted(Comparator.comparing(ProviderEntry::kind).thenComparing(ProviderEntry::id))
                .toList();
    }

    /** The kinds this registry was asked to scan. */
    public List<ServiceKind<?>> kinds() {
        return kinds;
    }

    @Override
    public void close() {
        for (URLClassLoader loader : pluginLoaders) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // closing a jar we only read cannot lose anything
            }
        }
        pluginLoaders.clear();
    }

    private Map<String, ProviderEntry> entriesOf(ServiceKind<?> kind) {
        Map<String, ProviderEntry> entries = byKind.get(kind.name());
        if (entries == null) {
            throw new PluginException("this registry does not scan providers of kind '" + kind.name() + "'");
        }
        return entries;
    }

    /** Scans one loader; with {@code onlyFrom} set, keeps only classes that loader defined itself. */
    private void scan(ClassLoader loader, ClassLoader onlyFrom) {
        for (ServiceKind<?> kind : kinds) {
            ServiceLoader<? extends Provider> services = ServiceLoader.load(kind.service(), loader);
            try {
                services.stream()
                        .filter(p -> onlyFrom == null || p.type().getClassLoader() == onlyFrom)
                        .forEach(p -> register(kind, p.get()));
            } catch (ServiceConfigurationError e) {
                throw new PluginException("cannot load a " + kind.name() + " provider from "
                        + (onlyFrom == null ? "the class path" : describe(loader)) + ": " + e.getMessage(), e);
            }
        }
    }

    private void register(ServiceKind<?> kind, Provider provider) {
        String id = provider.id();
        String source = sourceOf(provider.getClass());
        if (id == null || id.isBlank()) {
            throw new PluginException("the " + kind.name() + " provider " + provider.getClass().getName()
                    + " from " + source + " has no id");
        }
        Map<String, ProviderEntry> entries = byKind.get(kind.name());
        ProviderEntry existing = entries.get(id);
        if (existing != null) {
            throw new PluginException("duplicate " + kind.name() + " id '" + id + "': declared by "
                    + existing.provider().getClass().getName() + " in " + existing.source() + " and by "
                    + provider.getClass().getName() + " in " + source);
        }
        entries.put(id, new ProviderEntry(kind.name(), id, provider.version(), source, provider));
    }

    private static String sourceOf(Class<?> type) {
        CodeSource cs = type.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return "(unknown source)";
        }
        try {
            return Path.of(cs.getLocation().toURI()).toString();
        } catch (Exception e) {
            return cs.getLocation().toString();
        }
    }

    private static String describe(ClassLoader loader) {
        return loader instanceof URLClassLoader u && u.getURLs().length > 0
                ? Stream.of(u.getURLs()).map(URL::getPath).collect(Collectors.joining(", "))
                : String.valueOf(loader.getName());
    }

    private static List<Path> pluginsIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> plugins = files
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toCollection(ArrayList::new));
            return Collections.unmodifiableList(plugins);
        } catch (IOException e) {
            throw new PluginException("cannot list the plugins folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static URL[] jarUrls(Path plugin) {
        try {
            if (!Files.isDirectory(plugin)) {
                return new URL[] {plugin.toUri().toURL()};
            }
            try (Stream<Path> jars = Files.list(plugin)) {
                List<Path> list = jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
                if (list.isEmpty()) {
                    throw new PluginException("the plugin folder " + plugin + " holds no jar");
                }
                URL[] urls = new URL[list.size()];
                for (int i = 0; i < urls.length; i++) {
                    urls[i] = list.get(i).toUri().toURL();
                }
                return urls;
            }
        } catch (MalformedURLException e) {
            throw new PluginException("bad plugin path " + plugin, e);
        } catch (IOException e) {
            throw new PluginException("cannot list the plugin folder " + plugin + ": " + e.getMessage(), e);
        }
    }
}
