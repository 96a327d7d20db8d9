package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ServiceKind;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerProvider;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulersTest {

    @TempDir
    Path tmp;

    @Test
    void theFixtureConfigGivesSd15sDdim() {
        NoiseScheduler s = Schedulers.fromConfig(TestData.sdTiny("scheduler", "scheduler_config.json"));
        assertInstanceOf(DdimScheduler.class, s);
        SchedulerConfig c = s.config();
        assertEquals("scaled_linear", c.betaSchedule());
        assertEquals(1, c.stepsOffset());
        assertFalse(c.setAlphaToOne());
        assertFalse(c.clipSample());
        assertEquals(SchedulerConfig.stableDiffusionDdim().toMap(), c.toMap());
        // a snapshot's scheduler/ folder works too
        assertInstanceOf(DdimScheduler.class, Schedulers.fromConfig(TestData.sdTiny("scheduler")));
    }

    @Test
    void bothProvidersAreRegisteredForServiceLoader() {
        List<ServiceKind<?>> kinds = List.of(SchedulerProvider.KIND);
        try (PluginRegistry r = PluginRegistry.discover(kinds, getClass().getClassLoader(), null)) {
            assertEquals("ddim", Schedulers.providerFor("DDIMScheduler", r).id());
            assertEquals("ddpm", Schedulers.providerFor("DDPMScheduler", r).id());
            assertInstanceOf(DdpmScheduler.class, r.get(SchedulerProvider.KIND, "ddpm")
                    .create(SchedulerConfig.stableDiffusionDdim().withClassName("DDPMScheduler")));
        }
    }

    @Test
    void anUnknownClassIsNamedWithTheSupportedOnes() throws IOException {
        Path file = write("{\"_class_name\": \"EulerDiscreteScheduler\", \"beta_schedule\": \"scaled_linear\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> Schedulers.fromConfig(file));
        String msg = e.getMessage();
        assertTrue(msg.contains("'EulerDiscreteScheduler'") && msg.contains("DDIMScheduler (ddim)")
                && msg.contains("DDPMScheduler (ddpm)") && msg.contains(file.toString()), msg);
    }

    @Test
    void badJsonNamesTheFile() throws IOException {
        Path file = write("{\"_class_name\": \"DDIMScheduler\",, }");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Schedulers.fromConfig(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 1"), e.getMessage());

        Path missing = tmp.resolve("nope.json");
        ModelFormatException m = assertThrows(ModelFormatException.class, () -> Schedulers.readConfig(missing));
        assertTrue(m.getMessage().contains(missing.toString()), m.getMessage());

        Path array = write("[1, 2]");
        ModelFormatException a = assertThrows(ModelFormatException.class, () -> Schedulers.readConfig(array));
        assertTrue(a.getMessage().contains(array.toString()), a.getMessage());
    }

    @Test
    void aWronglyTypedValueNamesTheFileAndKey() throws IOException {
        Path file = write("{\"_class_name\": \"DDIMScheduler\", \"steps_offset\": \"one\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> Schedulers.readConfig(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("steps_offset"), e.getMessage());
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(tmp, "scheduler_config", ".json");
        Files.writeString(file, json);
        return file;
    }
}
