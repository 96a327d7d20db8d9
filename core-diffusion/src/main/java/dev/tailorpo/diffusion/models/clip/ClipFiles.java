package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorSource;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the weight files of a CLIP snapshot folder. */
final class ClipFiles {
    private ClipFiles() {}

    /** Opens a safetensors file; a missing file is a {@link ModelFormatException} naming it. */
    static TensorSource openWeights(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("missing weights file " + file);
        }
        // STUB until the safetensors reader is merged
        throw new ModelFormatException("no reader yet for " + file);
    }
}
