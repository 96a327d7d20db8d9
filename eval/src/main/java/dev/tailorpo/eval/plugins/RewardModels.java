package dev.tailorpo.eval.plugins;

import ai.djl.Device;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens reward models the one way every command does: the provider by id from the registry, its
 * default weights under {@code models/} of the TailorPO-J folder.
 */
public final class RewardModels {
    private RewardModels() {}

    /** The context a provider gets: {@code home/models}, the device and the user's options. */
    public static RewardContext context(Path home, Device device, Map<String, String> options) {
        return new RewardContext(home.resolve("models"), device, options);
    }

    /** The reward {@code id} with {@code options}; the caller closes it. */
    public static RewardModel open(PluginRegistry plugins, String id, Map<String, String> options, Path home, Device device) {
        return plugins.get(RewardProvider.KIND, id).create(context(home, device, options));
    }
}
