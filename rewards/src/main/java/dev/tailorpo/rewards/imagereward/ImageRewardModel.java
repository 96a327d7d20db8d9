package dev.tailorpo.rewards.imagereward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.tensor.Scalars;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.models.bert.BertModel;
import dev.tailorpo.diffusion.models.blip.BlipVisionConfig;
import dev.tailorpo.diffusion.models.blip.BlipVisionTransformer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.rewards.clip.AestheticHead;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ImageReward-v1.0 (Xu et al., 2023; {@code ImageReward.py} of THUDM/ImageReward): BLIP's ViT
 * encodes the image, BLIP's BERT encodes the prompt while cross-attending to every image token,
 * and an MLP reads the text encoder's hidden state at position 0 ({@code [CLS]}; ImageReward does
 * not swap in {@code [ENC]} as BLIP's matching head does). The raw output is standardised with the
 * mean and std ImageReward measured on its data.
 *
 * <p>The module tree is upstream's, so parameter paths are the state-dict keys of the published
 * {@code ImageReward.pt}: {@code blip.visual_encoder.*}, {@code blip.text_encoder.*},
 * {@code blip.vision_proj.*}, {@code blip.text_proj.*} and {@code mlp.layers.*}. The two
 * projections belong to BLIP's contrastive head and are not used by the score; they are loaded like
 * every other weight, so that a checkpoint is checked whole. Parameters are frozen.
 */
public final class ImageRewardModel extends Module {
    /** ImageReward's standardisation of the MLP output (constants of {@code ImageReward.py}). */
    public static final double SCORE_MEAN = 0.16717362830052426;
    public static final double SCORE_STD = 1.0333394966054072;

    /** The buffer a checkpoint holds beside the weights; recomputed, never loaded. */
    static final Set<String> BUFFERS = Set.of("blip.text_encoder." + BertModel.POSITION_IDS);

    /** Keys whose absence says a file is not an ImageReward checkpoint at all. */
    private static final List<String> MARKERS = List.of("blip.visual_encoder.pos_embed",
            "blip.text_encoder.embeddings.word_embeddings.weight", "mlp.layers.0.weight");

    private final Blip blip;
    private final AestheticHead mlp;

    /** BLIP's {@code BLIP_Pretrain} as ImageReward keeps it: the two encoders and two projections. */
    private static final class Blip extends Module {
        final BlipVisionTransformer visualEncoder;
        final BertModel textEncoder;

        Blip(BlipVisionConfig vision, BertConfig text, int embedDim) {
            this.visualEncoder = child("visual_encoder", new BlipVisionTransformer(vision));
            this.textEncoder = child("text_encoder", new BertModel(text));
            child("vision_proj", new LinearLayer(vision.width(), embedDim, true));
            child("text_proj", new LinearLayer(text.hiddenSize(), embedDim, true));
        }
    }

    /**
     * Declares the model (nothing allocated).
     *
     * @param text the BERT config; its cross-attention must read the vision width
     * @param embedDim the width of BLIP's unused contrastive projections (256)
     * @param mlpWidths the head's six widths; the first is the text hidden size
     */
    public ImageRewardModel(BlipVisionConfig vision, BertConfig text, int embedDim, long[] mlpWidths) {
        if (text.encoderWidth() != vision.width() || !text.crossAttention()) {
            throw new ModelFormatException("ImageReward's text encoder must cross-attend to the " + vision.width()
                    + "-wide image tokens; its config says cross-attention " + text.crossAttention()
                    + " from width " + text.encoderWidth());
        }
        this.blip = child("blip", new Blip(vision, text, embedDim));
        this.mlp = child("mlp", new AestheticHead(mlpWidths));
    }

    /**
     * Builds the model the weights in {@code source} describe and loads them, strictly: a key
     * missing, unexpected or mis-shaped is an error naming it (upstream loads with
     * {@code strict=False}, which hides such faults).
     *
     * @throws ModelFormatException naming the source and what does not fit
     */
    public static ImageRewardModel load(TensorSource source, BertConfig medConfig, int visionHeads, NDManager manager) {
        ImageRewardModel model = forWeights(source, medConfig, visionHeads);
        model.load(source, "", BUFFERS, manager);
        return model;
    }

    /**
     * The model the weights in {@code source} describe, checked against them (every key and shape)
     * but not loaded: nothing is allocated. Sizes come from the weights, except the BERT sizes
     * (from {@code med_config.json}, whose {@code encoder_width} is replaced by the vision width as
     * BLIP does) and the ViT's heads, which no shape reveals.
     *
     * @throws ModelFormatException naming the source and what does not fit
     */
    public static ImageRewardModel forWeights(TensorSource source, BertConfig medConfig, int visionHeads) {
        checkIsImageReward(source);
        BlipVisionConfig vision = BlipVisionConfig.fromWeights(source, "blip.visual_encoder.", visionHeads);
        String projKey = "blip.vision_proj.weight";
        if (!source.keys().contains(projKey) || source.info(projKey).shape().length != 2) {
            throw new ModelFormatException(source.describe() + ": no 2-d '" + projKey + "' (BLIP's image projection)");
        }
        int embedDim = (int) source.info(projKey).shape()[0];
        ImageRewardModel model = new ImageRewardModel(vision, medConfig.withEncoderWidth(vision.width()), embedDim,
                AestheticHead.widthsOf(source, "mlp."));
        model.checkCompatible(source, "", BUFFERS);
        return model;
    }

    private static void checkIsImageReward(TensorSource source) {
        for (String marker : MARKERS) {
            if (!source.keys().contains(marker)) {
                List<String> sample = new ArrayList<>(source.keys()).subList(0, Math.min(3, source.keys().size()));
                throw new ModelFormatException(source.describe() + " is not an ImageReward checkpoint: it has no '" + marker
                        + "' (its keys begin " + sample + ")");
            }
        }
    }

    public BlipVisionConfig visionConfig() {
        return blip.visualEncoder.config();
    }

    public BertConfig textConfig() {
        return blip.textEncoder.config();
    }

    /** The image tokens, (B, 1 + patches, vision width); differentiable. */
    public NDArray imageEmbeds(NDArray pixelValues) {
        return blip.visualEncoder.forward(pixelValues);
    }

    /** The text encoder's hidden state at position 0, (B, text hidden); differentiable in the image tokens. */
    public NDArray textFeature(NDArray inputIds, NDArray attentionMask, NDArray imageEmbeds) {
        return blip.textEncoder.forward(inputIds, attentionMask, imageEmbeds).get(":, 0, :");
    }

    /** The MLP's raw output, (B, 1). */
    public NDArray head(NDArray textFeature) {
        return mlp.forward(textFeature);
    }

    /**
     * ImageReward's {@code score_gard}: the standardised reward of each image with its prompt.
     *
     * @param pixelValues (B, 3, S, S), preprocessed; differentiable
     * @param inputIds (B, N) token ids and {@code attentionMask} (B, N), see {@link BertModel#forward}
     * @return (B) scores, in the manager of {@code pixelValues}
     */
    public NDArray score(NDArray pixelValues, NDArray inputIds, NDArray attentionMask) {
        NDArray raw = head(textFeature(inputIds, attentionMask, imageEmbeds(pixelValues)));
        NDArray standardised = Scalars.div(raw.sub(Scalars.scalar(raw, SCORE_MEAN)), SCORE_STD);
        return standardised.reshape(standardised.getShape().get(0));
    }
}
