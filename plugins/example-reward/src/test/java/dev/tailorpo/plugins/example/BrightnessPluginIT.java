package dev.tailorpo.plugins.example;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ProviderEntry;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The packaged plugin jar, copied into a plugins folder and found there by the framework's
 * {@link PluginRegistry}, exactly as {@code tailor --plugins-dir} will load it (failsafe runs this
 * after {@code package}; the plugin's classes are not on this test's class path).
 */
class BrightnessPluginIT {
    @TempDir
    Path pluginsDir;

    @Test
    void theJarIsDiscoveredFromAPluginsFolderAndScores() throws Exception {
        Path jar = Path.of(System.getProperty("plugin.jar"));
        Path installed = Files.copy(jar, pluginsDir.resolve(jar.getFileName()));
        // proof that the provider can only come from the jar
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("dev.tailorpo.plugins.example.BrightnessProvider", false, getClass().getClassLoader()));

        try (PluginRegistry registry = PluginRegistry.discover(List.of(RewardProvider.KIND), getClass().getClassLoader(), pluginsDir)) {
            ProviderEntry entry = registry.entries().stream().filter(e -> e.id().equals("brightness")).findFirst().orElseThrow();
            assertEquals(installed.toString(), entry.source());
            assertEquals(System.getProperty("plugin.version"), entry.version());   // from the manifest
            RewardProvider provider = registry.get(RewardProvider.KIND, "brightness");
            assertNotSame(getClass().getClassLoader(), provider.getClass().getClassLoader());

            try (NDManager m = NDManager.newBaseManager();
                 RewardModel reward = provider.create(new RewardContext(null, Device.cpu(), Map.of("target", "0.25")))) {
                float[] s = reward.score(m.ones(new Shape(1, 3, 4, 4)).mul(0.5f), List.of("a grey square"));
                assertArrayEquals(new float[] {-0.25f}, s, 1e-6f);
                assertEquals(true, reward.info().differentiable());
            }
        }
    }
}
