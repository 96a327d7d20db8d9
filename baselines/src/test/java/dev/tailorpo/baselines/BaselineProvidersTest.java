package dev.tailorpo.baselines;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The providers are registered as services, with the defaults of ALGORITHMS.md. */
class BaselineProvidersTest {

    @Test
    void registeredWithTheDocumentedDefaults() {
        Map<String, TrainerProvider> byId = new HashMap<>();
        ServiceLoader.load(TrainerProvider.class).forEach(p -> byId.put(p.id(), p));
        assertEquals(Map.of("beta", 0.1, "eps_clip", 0.1, "lr", 3e-5), byId.get("d3po").defaults());
        assertEquals(Map.of("divert_start_step", 4, "candidates", 4, "threshold", 0.3, "train_steps", List.of(),
                "beta", 10.0, "eps_clip", 0.1, "lr", 6e-5), byId.get("spo").defaults());
        assertEquals(Map.of("lr", 3e-4, "clip_range", 1e-4, "adv_clip_max", 5.0, "images_per_prompt", 4,
                "buffer_size", 16, "min_count", 16), byId.get("ddpo").defaults());
        assertInstanceOf(D3PO.class, create(byId.get("d3po"), Map.of()));
        assertInstanceOf(SPO.class, create(byId.get("spo"), Map.of("train_steps", List.of(4, 8))));
        assertInstanceOf(DDPO.class, create(byId.get("ddpo"), Map.of("images_per_prompt", 2)));
        assertThrows(ConfigException.class, () -> create(byId.get("ddpo"), Map.of("images_per_prompt", 0)));
        assertThrows(ConfigException.class, () -> create(byId.get("spo"), Map.of("candidates", 1)));
    }

    private static Object create(TrainerProvider p, Map<String, ?> overrides) {
        return p.create(MethodSettings.of(p.id(), p.defaults(), overrides));
    }
}
