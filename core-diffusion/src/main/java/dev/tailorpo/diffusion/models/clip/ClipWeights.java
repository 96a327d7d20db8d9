package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.Module;

import java.util.Set;

/** Loading rules shared by the CLIP models: key prefixes and the buffers checkpoints carry. */
final class ClipWeights {
    private ClipWeights() {}

    /** The weights file of a transformers snapshot folder. */
    static final String DEFAULT_FILE = "model.safetensors";

    /**
     * {@code position_ids} is a buffer (arange), not a weight: transformers 4.x before 4.31 saved
     * it, later versions do not. Either way it is recomputed, so it may be present or absent.
     */
    static final Set<String> TEXT_BUFFERS = Set.of("embeddings.position_ids");

    /**
     * The prefix under which a tower's keys sit in {@code source}: {@code towerPrefix} (e.g.
     * {@code text_model.}, as real SD 1.5 snapshots and every CLIPModel store them) when any key
     * starts with it, else none (transformers 5 saves CLIPTextModel without it).
     */
    static String detectPrefix(TensorSource source, String towerPrefix) {
        for (String key : source.keys()) {
            if (key.startsWith(towerPrefix)) {
                return towerPrefix;
            }
        }
        return "";
    }

    /** Loads {@code module} strictly, turning low-level read errors into errors that name the source. */
    static void load(Module module, TensorSource source, String prefix, Set<String> ignored, NDManager manager) {
        try {
            module.load(source, prefix, ignored, manager);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFormatException("cannot load " + module.getClass().getSimpleName() + " from "
                    + source.describe() + ": " + e.getMessage(), e);
        }
    }
}
