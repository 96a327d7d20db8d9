package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorSource;

import java.nio.file.Path;

/** STUB until the safetensors reader is merged. */
final class ClipFiles {
    private ClipFiles() {}

    static TensorSource openWeights(Path file) {
        throw new ModelFormatException("no reader yet for " + file);
    }
}
