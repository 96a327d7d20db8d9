package dev.tailorpo.plugins.remote;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ProviderEntry;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The packaged jar loaded from a plugins folder: its Jackson classes must come from the framework
 * (the plugin's class loader's parent), since the jar does not bundle them. The server and the
 * client both come from the jar.
 */
class RemotePluginIT {
    @TempDir
    Path pluginsDir;

    /** Mean pixel: a reward the test can compute itself. */
    private static final class Mean implements RewardModel {
        @Override
        public RewardInfo info() {
            return new RewardInfo("mean", "Mean", 0, 1, true, false, 0);
        }

        @Override
        public float[] score(NDArray images, List<String> prompts) {
            return images.reshape(images.getShape().get(0), -1).mean(new int[] {1}).toFloatArray();
        }
    }

    @Test
    void theJarServesAndScoresFromAPluginsFolder() throws Exception {
        Path jar = Path.of(System.getProperty("plugin.jar"));
        Files.copy(jar, pluginsDir.resolve(jar.getFileName()));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("dev.tailorpo.plugins.remote.RemoteRewardServer", false, getClass().getClassLoader()));

        try (PluginRegistry registry = PluginRegistry.discover(List.of(RewardProvider.KIND), getClass().getClassLoader(), pluginsDir);
             NDManager m = NDManager.newBaseManager()) {
            ProviderEntry entry = registry.entries().stream().filter(e -> e.id().equals("remote")).findFirst().orElseThrow();
            assertEquals(System.getProperty("plugin.version"), entry.version());
            ClassLoader pluginLoader = entry.provider().getClass().getClassLoader();

            Class<?> serverClass = pluginLoader.loadClass("dev.tailorpo.plugins.remote.RemoteRewardServer");
            try (AutoCloseable server = (AutoCloseable) serverClass.getMethod("startOnLoopback", RewardModel.class).invoke(null, new Mean())) {
                URI uri = (URI) serverClass.getMethod("uri").invoke(server);
                RewardProvider remote = registry.get(RewardProvider.KIND, "remote");
                try (RewardModel client = remote.create(new RewardContext(null, Device.cpu(), Map.of("url", uri.toString(), "encoding", "f32")))) {
                    NDArray images = m.create(new float[] {0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f}, new Shape(2, 3, 1, 1));
                    assertArrayEquals(new float[] {0.25f, 0.5f}, client.score(images, List.of("a", "b")), 1e-6f);
                }
            }
        }
    }
}
