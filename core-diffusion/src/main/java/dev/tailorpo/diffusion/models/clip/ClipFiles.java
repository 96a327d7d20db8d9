package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the weight files of a CLIP snapshot folder. */
final class ClipFiles {
    private ClipFiles() {}

    /**
     * Opens a safetensors file. A missing file is reported here as a missing <em>weights</em> file,
     * which says more to a user than the reader's generic message.
     */
    static TensorSource openWeights(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("missing weights file " + file);
        }
        return SafeTensorsFile.open(file);
    }
}
