package dev.tailorpo.rewards.clip;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.TorchCheckpoint;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the parts of a transformers {@code CLIPModel} snapshot folder as Hugging Face repositories
 * lay them out:
 * <ul>
 *   <li>weights: {@code model.safetensors}, else {@code pytorch_model.bin} (a {@code torch.save}
 *       zip, read without running pickle code), which is all some repositories ship;</li>
 *   <li>tokenizer ({@code vocab.json} + {@code merges.txt}): a {@code tokenizer/} sub-folder (the
 *       diffusers layout), else the snapshot folder itself (openai/clip-vit-*, and the laion
 *       processor repositories). A model repository without tokenizer files, such as
 *       yuvalkirstain/PickScore_v1 whose processor is laion/CLIP-ViT-H-14-laion2B-s32B-b79K, needs
 *       the tokenizer folder named explicitly.</li>
 * </ul>
 */
final class ClipSnapshot {
    static final String SAFETENSORS = "model.safetensors";
    static final String TORCH_BIN = "pytorch_model.bin";

    private ClipSnapshot() {}

    /** The snapshot's {@code config.json} (a CLIPModel config); read before any weight. */
    static ClipConfig readConfig(Path dir) {
        return ClipConfig.read(dir.resolve("config.json"));
    }

    /** Loads the weights of snapshot folder {@code dir} into a model of {@code config}, frozen. */
    static ClipModel loadModel(Path dir, ClipConfig config, NDManager manager) {
        Path safetensors = dir.resolve(SAFETENSORS);
        Path bin = dir.resolve(TORCH_BIN);
        boolean useSafetensors = Files.isRegularFile(safetensors);
        if (!useSafetensors && !Files.isRegularFile(bin)) {
            throw new ModelFormatException(dir + " holds no CLIP weights: expected " + SAFETENSORS + " (or " + TORCH_BIN
                    + ") beside config.json");
        }
        ClipModel model = new ClipModel(config);
        try (TensorSource weights = useSafetensors ? SafeTensorsFile.open(safetensors) : TorchCheckpoint.open(bin)) {
            model.loadWeights(weights, manager);
        }
        return model;
    }

    /**
     * The tokenizer folder: {@code explicit} when given, else the first of {@code dir/tokenizer} and
     * {@code dir} that holds the tokenizer files.
     *
     * @param option the option that names a tokenizer folder, for the error message
     */
    static Path tokenizerDir(String rewardId, Path dir, Path explicit, String option) {
        if (explicit != null) {
            return explicit;
        }
        List<Path> candidates = List.of(dir.resolve("tokenizer"), dir);
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("vocab.json")) && Files.isRegularFile(c.resolve("merges.txt"))) {
                return c;
            }
        }
        throw new ConfigException("reward '" + rewardId + "': no CLIP tokenizer (vocab.json and merges.txt) in "
                + candidates.get(0) + " or " + candidates.get(1) + "; set option '" + option
                + "' to the folder holding them (for PickScore_v1: a snapshot of its processor,"
                + " laion/CLIP-ViT-H-14-laion2B-s32B-b79K)");
    }
}
