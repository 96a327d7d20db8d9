package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.CheckpointStore;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.trainers.engine.PreferenceTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * LoRA adapter files of a UNet as trainers and diffusers write them
 * ({@value PreferenceTrainer#LORA_FILE}, keys {@code unet.<layer>.lora_A.weight} / {@code lora_B.weight}),
 * found from a file or a folder and attached to a loaded model with the configuration the file
 * implies: the adapted layers from its keys, the rank from the shape of {@code lora_A}, and alpha
 * from the {@code lora_alpha} metadata this framework writes, else alpha = rank (scale 1), which is
 * what diffusers assumes for a file without alpha values.
 */
public final class LoraWeights {
    private static final String A = ".lora_A.weight";

    private LoraWeights() {}

    /**
     * The adapter file for {@code path}: the file itself, or {@value PreferenceTrainer#LORA_FILE} in
     * a folder (a finished run folder, or one of its {@code checkpoints/step-*} folders).
     *
     * @throws ModelFormatException naming the path when there is no such file (for an unfinished
     *     run, naming its newest checkpoint)
     */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new ModelFormatException("LoRA weights " + path + " do not exist");
        }
        Path file = path.resolve(PreferenceTrainer.LORA_FILE);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path checkpoints = path.resolve("checkpoints");
        if (Files.isDirectory(checkpoints)) {
            var latest = new CheckpointStore(checkpoints, Integer.MAX_VALUE).latest();
            if (latest.isPresent()) {
                throw new ModelFormatException(path + " has no " + PreferenceTrainer.LORA_FILE
                        + " (the run has not finished); give a checkpoint folder instead, e.g. " + latest.get().dir());
            }
        }
        throw new ModelFormatException(path + " holds no " + PreferenceTrainer.LORA_FILE);
    }

    /** The configuration the adapter file implies (see the class comment). */
    public static LoraConfig config(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            List<String> layers = new ArrayList<>();
            TreeSet<Long> ranks = new TreeSet<>();
            for (String key : new TreeSet<>(f.keys())) {
                if (key.startsWith(Lora.UNET_PREFIX) && key.endsWith(A)) {
                    layers.add(key.substring(Lora.UNET_PREFIX.length(), key.length() - A.length()));
                    TensorInfo info = f.info(key);
                    if (info.shape().length != 2) {
                        throw new ModelFormatException(file + ": " + key + " should be a matrix (rank, in), has shape "
                                + java.util.Arrays.toString(info.shape()));
                    }
                    ranks.add(info.shape()[0]);
                }
            }
            if (layers.isEmpty()) {
                throw new ModelFormatException(file + " holds no UNet LoRA weights (no keys '" + Lora.UNET_PREFIX
                        + "...lora_A.weight')");
            }
            if (ranks.size() != 1) {
                throw new ModelFormatException(file + ": adapters of different ranks " + ranks + " are not supported");
            }
            int rank = Math.toIntExact(ranks.first());
            Map<String, String> meta = f.metadata();
            float alpha = rank;
            String a = meta.get("lora_alpha");
            if (a != null) {
                try {
                    alpha = Float.parseFloat(a.trim());
                } catch (NumberFormatException e) {
                    throw new ModelFormatException(file + ": metadata lora_alpha '" + a + "' is not a number");
                }
            }
            return new LoraConfig(rank, alpha, layers);
        }
    }

    /**
     * Attaches adapters shaped by {@link #config} to the model's UNet and loads the file's weights
     * into them (strictly: keys that match no layer are an error naming them). Their weights live in
     * {@code manager}; {@link Lora#detach()} and closing the manager undo it.
     */
    public static Lora attach(DiffusionModel model, Path file, NDManager manager) {
        Lora lora = Lora.attach(model.unet(), config(file), manager, 0);
        try {
            lora.load(file, manager);
        } catch (RuntimeException e) {
            lora.detach();
            throw e;
        }
        return lora;
    }
}
