package dev.tailorpo.diffusion.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ServiceKind;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a scheduler from a diffusers {@code scheduler_config.json}: the provider is the one whose
 * {@link SchedulerProvider#diffusersClassNames()} contains the file's {@code _class_name}, looked up
 * among the providers a {@link PluginRegistry} found (the built-in ones when none is given).
 */
public final class Schedulers {
    private Schedulers() {}

    /** The file diffusers writes in a snapshot's {@code scheduler/} folder. */
    public static final String CONFIG_FILE = "scheduler_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a config file, or {@code scheduler_config.json} inside a folder. */
    public static SchedulerConfig readConfig(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(CONFIG_FILE) : path;
        Map<String, Object> json;
        try {
            json = JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("scheduler config " + file + " is not a JSON object: "
                    + e.getOriginalMessage() + locationOf(e), e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read the scheduler config " + file + ": " + e, e);
        }
        if (json == null) {
            throw new ModelFormatException("scheduler config " + file + " is empty (JSON null)");
        }
        try {
            return SchedulerConfig.fromMap(json);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The scheduler a config file describes, from the built-in providers. */
    public static NoiseScheduler fromConfig(Path path) {
        try (PluginRegistry registry = builtIn()) {
            return fromConfig(path, registry);
        }
    }

    /** The scheduler a config file describes, from the providers of {@code registry}. */
    public static NoiseScheduler fromConfig(Path path, PluginRegistry registry) {
        SchedulerConfig config = readConfig(path);
        try {
            return create(config, registry);
        } catch (ConfigException e) {
            throw new ConfigException(path + ": " + e.getMessage(), e);
        }
    }

    /** The scheduler for a config, from the built-in providers. */
    public static NoiseScheduler create(SchedulerConfig config) {
        try (PluginRegistry registry = builtIn()) {
            return create(config, registry);
        }
    }

    /** The scheduler for a config, from the providers of {@code registry}. */
    public static NoiseScheduler create(SchedulerConfig config, PluginRegistry registry) {
        return providerFor(config.className(), registry).create(config);
    }

    /** The provider implementing a diffusers class, or a ConfigException listing the supported classes. */
    public static SchedulerProvider providerFor(String diffusersClass, PluginRegistry registry) {
        List<SchedulerProvider> providers = registry.all(SchedulerProvider.KIND);
        for (SchedulerProvider p : providers) {
            if (p.diffusersClassNames().contains(diffusersClass)) {
                return p;
            }
        }
        String supported = providers.stream()
                .flatMap(p -> p.diffusersClassNames().stream().sorted().map(c -> c + " (" + p.id() + ")"))
                .sorted()
                .collect(Collectors.joining(", "));
        throw new ConfigException("scheduler _class_name '" + diffusersClass + "' is not supported; supported: "
                + (supported.isEmpty() ? "(none)" : supported));
    }

    /** The scheduler providers on the class path (no plugins folder). */
    private static PluginRegistry builtIn() {
        List<ServiceKind<?>> kinds = List.of(SchedulerProvider.KIND);
        return PluginRegistry.discover(kinds, Schedulers.class.getClassLoader(), null);
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
