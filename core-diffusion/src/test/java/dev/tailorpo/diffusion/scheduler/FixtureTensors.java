package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.SafeTensorsFile;

import java.nio.file.Path;

/** Reads reference tensors of a fixture file, as Java floats or arrays. */
final class FixtureTensors {
    private final Path file;

    FixtureTensors(Path file) {
        this.file = file;
    }

    float[] floats(String key) {
        try (NDManager m = NDManager.newBaseManager(); SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.load(key, m).toFloatArray();
        }
    }

    NDArray load(String key, NDManager manager) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.load(key, manager);
        }
    }
}
