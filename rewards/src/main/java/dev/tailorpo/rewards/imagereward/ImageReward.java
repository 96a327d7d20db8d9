package dev.tailorpo.rewards.imagereward;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.WeightFiles;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.models.bert.BertTokenizer;
import dev.tailorpo.diffusion.models.blip.BlipImageProcessor;
import dev.tailorpo.diffusion.models.blip.BlipVisionConfig;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.rewards.image.Images;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code image-reward} reward: ImageReward-v1.0's score of each image with its prompt, as
 * {@code ImageReward.score} (on 8-bit images, {@link BlipImageProcessor.Mode#PIL}) or
 * {@code ImageReward.score_gard} (on tensors, as ReFL trains with it) computes it. Higher is better;
 * scores are standardised (about N(0, 1) on ImageReward's data, unbounded).
 *
 * <p>This class scores without a graph; {@link DifferentiableImageReward} adds the differentiable
 * score for the tensor preprocessings. The model computes on the device it was loaded on; images
 * on another device are moved there.
 */
public class ImageReward implements RewardModel {
    public static final String ID = "image-reward";
    /** ImageReward tokenizes every prompt to 35 tokens ({@code max_length=35}, truncating longer ones). */
    public static final int MAX_TOKENS = 35;

    private final NDManager manager;
    private final ImageRewardModel model;
    private final BertTokenizer tokenizer;
    private final BlipImageProcessor processor;
    private final RewardInfo info;

    ImageReward(NDManager manager, ImageRewardModel model, BertTokenizer tokenizer, BlipImageProcessor processor) {
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.info = new RewardInfo(ID, "ImageReward", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, true,
                this instanceof DifferentiableImageReward, model.visionConfig().imageSize());
    }

    /**
     * Loads ImageReward onto {@code device}: the weights ({@code ImageReward.pt} or the same
     * tensors as safetensors), BLIP's {@code med_config.json} and BERT's uncased {@code vocab.txt}.
     *
     * @param visionHeads the ViT's attention heads (BLIP's towers: width / 64)
     * @return a {@link DifferentiableImageReward} unless {@code mode} is {@link BlipImageProcessor.Mode#PIL}
     * @throws ModelFormatException naming the file that is missing, corrupt, of another model, or
     *     inconsistent with the others
     */
    public static ImageReward load(Path checkpoint, Path medConfig, Path vocab, BlipImageProcessor.Mode mode,
                                   Integer visionHeads, Device device) {
        BertConfig text = BertConfig.read(medConfig);
        BertTokenizer tokenizer = BertTokenizer.forBlip(vocab, MAX_TOKENS);
        if (tokenizer.vocabSize() != text.vocabSize()) {
            throw new ModelFormatException(vocab + " gives " + tokenizer.vocabSize() + " token ids (with BLIP's [DEC] and [ENC]),"
                    + " but " + medConfig + " says vocab_size " + text.vocabSize() + "; ImageReward needs bert-base-uncased's"
                    + " vocab.txt");
        }
        NDManager manager = NDManager.newBaseManager(device);
        try (TensorSource source = WeightFiles.open(checkpoint, "ImageReward checkpoint")) {
            int heads = visionHeads != null ? visionHeads : defaultHeads(source, checkpoint);
            ImageRewardModel model = ImageRewardModel.load(source, text, heads, manager);
            BlipImageProcessor processor = new BlipImageProcessor(model.visionConfig().imageSize(),
                    ClipImageProcessor.MEAN, ClipImageProcessor.STD, mode);
            return mode == BlipImageProcessor.Mode.PIL ? new ImageReward(manager, model, tokenizer, processor)
                    : new DifferentiableImageReward(manager, model, tokenizer, processor);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * BLIP's towers have 64-wide heads; the width is the patch embedding's output. A width that is
     * no multiple of 64 is some other ViT, whose heads must be given: guessing would load (no shape
     * depends on the heads) and score wrongly.
     */
    private static int defaultHeads(TensorSource source, Path checkpoint) {
        String key = "blip.visual_encoder.patch_embed.proj.weight";
        long width = source.keys().contains(key) ? source.info(key).shape()[0] : BlipVisionConfig.DEFAULT_HEAD_WIDTH;
        if (width % BlipVisionConfig.DEFAULT_HEAD_WIDTH != 0) {
            throw new ModelFormatException(checkpoint + ": the ViT is " + width + " wide, not a multiple of BLIP's "
                    + BlipVisionConfig.DEFAULT_HEAD_WIDTH + "-wide heads; give its number of attention heads (reward option"
                    + " 'vision_heads')");
        }
        return (int) (width / BlipVisionConfig.DEFAULT_HEAD_WIDTH);
    }

    @Override
    public final RewardInfo info() {
        return info;
    }

    public final ImageRewardModel model() {
        return model;
    }

    public final BertTokenizer tokenizer() {
        return tokenizer;
    }

    public final BlipImageProcessor processor() {
        return processor;
    }

    /** The device the model computes on. */
    public final Device device() {
        return manager.getDevice();
    }

    /**
     * Scores a batch without a graph.
     *
     * @throws InvalidInputException for a malformed batch, or naming the image whose pixels are
     *     not finite
     */
    @Override
    public float[] score(NDArray images, List<String> prompts) {
        Images.checkBatch(ID, images, prompts);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = images.getDevice().equals(manager.getDevice()) ? images.stopGradient() : images.toDevice(manager.getDevice(), true);
            x.attach(scope);
            Images.requireFinite(ID, x);
            return scoreInScope(x, prompts).toFloatArray();
        }
    }

    /** (B) scores of images on the model's device, in their manager; differentiable unless PIL. */
    final NDArray scoreInScope(NDArray images, List<String> prompts) {
        NDArray pixels = processor.preprocess(images);
        NDManager scope = images.getManager();
        int b = prompts.size();
        long[] ids = new long[b * MAX_TOKENS];
        long[] mask = new long[b * MAX_TOKENS];
        for (int i = 0; i < b; i++) {
            BertTokenizer.Encoding e = tokenizer.encode(prompts.get(i));
            for (int j = 0; j < MAX_TOKENS; j++) {
                ids[i * MAX_TOKENS + j] = e.ids()[j];
                mask[i * MAX_TOKENS + j] = e.attentionMask()[j];
            }
        }
        Shape shape = new Shape(b, MAX_TOKENS);
        NDArray idArray = scope.create(ids, shape).toDevice(images.getDevice(), false);
        NDArray maskArray = scope.create(mask, shape).toDevice(images.getDevice(), false);
        return model.score(pixels, idArray, maskArray);
    }

    @Override
    public void close() {
        manager.close();
    }
}
