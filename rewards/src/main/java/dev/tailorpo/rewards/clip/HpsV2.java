package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.WeightFiles;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.diffusion.models.clip.OpenClipImageProcessor;
import dev.tailorpo.diffusion.models.clip.OpenClipStateDict;
import dev.tailorpo.diffusion.models.clip.OpenClipTokenizer;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Human Preference Score v2 (Wu et al., 2023; github.com/tgxs002/HPSv2): the cosine similarity
 * of open_clip's image and text features, with no logit scale, for each image and its own prompt.
 * The network is open_clip's ViT-H-14 fine-tuned on human preferences; its checkpoints
 * ({@code HPS_v2_compressed.pt}, {@code HPS_v2.1_compressed.pt}) load into {@link ClipModel}
 * through {@link OpenClipStateDict}. Images are preprocessed as open_clip's
 * {@code preprocess_val} (longest side resized, zero-padded to a square), prompts tokenized by
 * open_clip's tokenizer; the normalisation is OpenAI's mean and std, as every open_clip ViT-H-14's. Higher is better; the range is [-1, 1] (real images score about 0.2 to 0.3).
 */
public final class HpsV2 extends PromptSimilarityReward {
    public static final String ID = "hpsv2";

    private HpsV2(NDManager manager, ClipModel clip, OpenClipImageProcessor processor, OpenClipTokenizer tokenizer) {
        super(manager, clip, new RewardInfo(ID, "HPSv2", -1, 1, true, true, clip.config().vision().imageSize()),
                processor::preprocess, tokenizer::encodeBatch);
    }

    /**
     * Loads an HPSv2 checkpoint onto {@code device}.
     *
     * @param config the open_clip model config, or null for ViT-H-14 (HPSv2 and HPSv2.1)
     * @param vocab open_clip's {@code bpe_simple_vocab_16e6.txt.gz}
     * @param antialias whether the resize antialiases (torchvision >= 0.17 on tensors; HPSv2's
     *     published environment did not)
     * @throws ModelFormatException naming the file that is missing, corrupt, of another model, or
     *     inconsistent with the others
     */
    public static HpsV2 load(Path checkpoint, ClipConfig config, Path vocab, boolean antialias, Device device) {
        OpenClipTokenizer tokenizer = OpenClipTokenizer.load(vocab);
        int positions = config.text().maxPositionEmbeddings();
        if (tokenizer.contextLength() > positions || tokenizer.vocabSize() != config.text().vocabSize()) {
            throw new ModelFormatException("the tokenizer of " + vocab + " (" + tokenizer.vocabSize() + " ids, rows of "
                    + tokenizer.contextLength() + ") does not fit the text model (" + config.text().vocabSize() + " ids, "
                    + positions + " positions)");
        }
        NDManager manager = NDManager.newBaseManager(device);
        try (TensorSource weights = OpenClipStateDict.of(WeightFiles.open(checkpoint, "HPSv2 checkpoint"))) {
            ClipModel clip = new ClipModel(config);
            checkNetwork(checkpoint, weights, clip);
            clip.loadWeights(weights, manager);
            OpenClipImageProcessor processor = new OpenClipImageProcessor(config.vision().imageSize(),
                    ClipImageProcessor.MEAN, ClipImageProcessor.STD, antialias);
            return new HpsV2(manager, clip, processor, tokenizer);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A checkpoint of another open_clip network would fail the strict load with hundreds of keys;
     * the patch embedding alone tells that the config is the wrong one, and which option fixes it.
     */
    private static void checkNetwork(Path checkpoint, TensorSource weights, ClipModel clip) {
        String key = "vision_model.embeddings.patch_embedding.weight";
        long[] expected = clip.namedParameters().get(key).shape().getShape();
        long[] actual = weights.info(key).shape();
        if (!Arrays.equals(expected, actual)) {
            throw new ModelFormatException(checkpoint + " holds another open_clip network than the model config describes"
                    + " (its visual.conv1.weight is " + Arrays.toString(actual) + ", the config's " + Arrays.toString(expected)
                    + "); name the checkpoint's open_clip config with the reward option 'model_config' (the default is"
                    + " ViT-H-14, HPSv2's network)");
        }
    }

    @Override
    NDArray similarity(NDArray imageEmbeds, NDArray textEmbeds) {
        return ClipModel.l2Normalize(imageEmbeds).matMul(ClipModel.l2Normalize(textEmbeds).transpose());
    }
}
