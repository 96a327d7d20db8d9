package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;

import java.nio.file.Path;

/**
 * PickScore's definition of text-image similarity: {@code exp(logit_scale) * cos(image, text)} of
 * the CLIP image embedding of each image (preprocessed differentiably, as {@link LaionAesthetic})
 * and the text embedding of its own prompt, i.e. the diagonal of CLIPModel's
 * {@code logits_per_image}. With PickScore_v1's weights it is PickScore; with an OpenAI CLIP it is
 * 100 cos, the CLIP similarity many papers report (Hessel et al.'s CLIPScore would be
 * 2.5 max(cos, 0) instead). Higher is better; the range is +-exp(logit_scale).
 *
 * <p>Text embeddings are cached per prompt (see {@link PromptSimilarityReward}).
 */
public final class ClipScore extends PromptSimilarityReward {
    public static final String ID = "clip-score";

    private final ClipTokenizer tokenizer;

    private ClipScore(NDManager manager, ClipModel clip, ClipTokenizer tokenizer, double logitScale) {
        super(manager, clip, new RewardInfo(ID, "CLIP score", -Math.exp(logitScale), Math.exp(logitScale), true, true,
                clip.imageProcessor().size()), clip.imageProcessor()::preprocess, tokenizer::encodeBatch);
        this.tokenizer = tokenizer;
    }

    /**
     * Loads the CLIP snapshot folder {@code clipDir} and the tokenizer in {@code tokenizerDir} onto
     * {@code device}.
     *
     * @throws ModelFormatException when a file is missing or corrupt, or the tokenizer's rows are
     *     longer than the text model's positions
     */
    public static ClipScore load(Path clipDir, Path tokenizerDir, Device device) {
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        ClipConfig config = ClipSnapshot.readConfig(clipDir);
        int positions = config.text().maxPositionEmbeddings();
        if (tokenizer.maxLength() > positions) {
            throw new ModelFormatException("the tokenizer in " + tokenizerDir + " makes rows of " + tokenizer.maxLength()
                    + " tokens, but the text model in " + clipDir + " has " + positions + " positions (max_position_embeddings)");
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ClipModel clip = ClipSnapshot.loadModel(clipDir, config, manager);
            double logitScale = clip.namedParameters().get("logit_scale").array().getFloat();
            return new ClipScore(manager, clip, tokenizer, logitScale);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    NDArray similarity(NDArray imageEmbeds, NDArray textEmbeds) {
        return clip().similarityLogits(imageEmbeds, textEmbeds);
    }

    /** The tokenizer of the prompts. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }
}
