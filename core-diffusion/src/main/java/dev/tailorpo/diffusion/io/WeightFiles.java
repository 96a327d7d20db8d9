package dev.tailorpo.diffusion.io;

import dev.tailorpo.api.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Opens a weights file in whichever of the two forms models are published in. */
public final class WeightFiles {
    private WeightFiles() {}

    /**
     * A {@code .safetensors} file by its extension; anything else ({@code .pt}, {@code .pth},
     * {@code .bin}, ...) as a {@code torch.save} checkpoint, read without running pickle code.
     *
     * @param what what the file should hold, for the error when it is missing (e.g.
     *     {@code "ImageReward checkpoint"})
     * @throws ModelFormatException naming the file when it is missing, unreadable or corrupt
     */
    public static TensorSource open(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("missing " + what + " " + file);
        }
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")
                ? SafeTensorsFile.open(file) : TorchCheckpoint.open(file);
    }
}
