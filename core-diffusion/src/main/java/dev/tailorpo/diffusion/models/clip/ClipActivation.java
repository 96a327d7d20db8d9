package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.nn.F;

/**
 * The MLP activations CLIP checkpoints name in {@code hidden_act}. OpenAI's CLIP (and so SD 1.x's
 * text encoder and ViT-L/14) uses {@code quick_gelu}; OpenCLIP models (SD 2.x's text encoder) use
 * the exact {@code gelu}. Other transformers activations are refused rather than approximated.
 */
public enum ClipActivation {
    QUICK_GELU("quick_gelu"),
    GELU("gelu");

    private final String configName;

    ClipActivation(String configName) {
        this.configName = configName;
    }

    /** The spelling in transformers' {@code config.json}. */
    public String configName() {
        return configName;
    }

    public NDArray apply(NDArray x) {
        return this == QUICK_GELU ? F.quickGelu(x) : F.gelu(x);
    }

    /**
     * Parses a {@code hidden_act} value.
     *
     * @param source the config file, named in the error
     */
    public static ClipActivation fromConfig(String name, String source) {
        for (ClipActivation a : values()) {
            if (a.configName.equals(name)) {
                return a;
            }
        }
        throw new ModelFormatException(source + ": hidden_act '" + name + "' is not supported (expected quick_gelu or gelu)");
    }
}
