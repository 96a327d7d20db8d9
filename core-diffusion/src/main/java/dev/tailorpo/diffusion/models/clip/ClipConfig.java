package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.diffusion.models.ConfigJson;

import java.nio.file.Path;

/**
 * transformers' {@code CLIPConfig}: both towers plus the shared embedding width. The projections
 * map each tower's width to the top-level {@code projection_dim} (the towers' own
 * {@code projection_dim} entries are not used by CLIPModel).
 *
 * @param logitScaleInit the initial log temperature, used only when training from scratch
 */
public record ClipConfig(ClipTextConfig text, ClipVisionConfig vision, int projectionDim, double logitScaleInit) {

    /** Reads a CLIPModel {@code config.json}. */
    public static ClipConfig read(Path configJson) {
        ConfigJson root = ConfigJson.read(configJson);
        return from(root);
    }

    static ClipConfig from(ConfigJson root) {
        return new ClipConfig(
                ClipTextConfig.from(root.section("text_config")),
                ClipVisionConfig.from(root.section("vision_config")),
                root.positive("projection_dim", root.getInt("projection_dim", 512)),
                root.getDouble("logit_scale_init_value", 2.6592));
    }
}
