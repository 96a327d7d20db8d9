package dev.tailorpo.api.reward;

import ai.djl.Device;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link RewardProvider} gets to build its model.
 *
 * @param modelsDir the folder the framework keeps model snapshots in; a provider finds its default
 *     weights under it
 * @param device where to put tensors
 * @param options provider-specific settings from the user's config (for example a weights path or a
 *     server URL); unknown options must be rejected with a message naming them
 */
public record RewardContext(Path modelsDir, Device device, Map<String, String> options) {
    public RewardContext {
        options = Map.copyOf(options);
    }

    /** An option's value, or {@code fallback} when it is not set. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}
