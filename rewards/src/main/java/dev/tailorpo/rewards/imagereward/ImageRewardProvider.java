package dev.tailorpo.rewards.imagereward;

import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.models.blip.BlipImageProcessor;
import dev.tailorpo.rewards.RewardOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image-reward}: options {@code checkpoint} (required), {@code med_config} and
 * {@code vocab} (default: {@code med_config.json} and {@code vocab.txt} beside the checkpoint),
 * {@code preprocess} ({@code tensor-antialias}, the default, {@code tensor} or {@code pil}; see
 * docs/REWARDS.md) and {@code vision_heads} (default: the ViT's width / 64, as in both of BLIP's
 * towers). Nothing is downloaded.
 */
public final class ImageRewardProvider implements RewardProvider {
    /** The {@code preprocess} option's values, the default first. */
    static final Map<String, BlipImageProcessor.Mode> PREPROCESS = Map.of(
            "tensor-antialias", BlipImageProcessor.Mode.TENSOR_ANTIALIAS,
            "tensor", BlipImageProcessor.Mode.TENSOR,
            "pil", BlipImageProcessor.Mode.PIL);
    static final String DEFAULT_PREPROCESS = "tensor-antialias";

    @Override
    public String id() {
        return ImageReward.ID;
    }

    @Override
    public String description() {
        return "ImageReward-v1.0 (BLIP ViT-L/16 + BERT with cross-attention), standardised, differentiable";
    }

    @Override
    public RewardModel create(RewardContext context) {
        RewardOptions options = new RewardOptions(id(), context,
                Set.of("checkpoint", "med_config", "vocab", "preprocess", "vision_heads"));
        Path checkpoint = options.requiredFile("checkpoint", "ImageReward's weights, ImageReward.pt of THUDM/ImageReward"
                + " (or the same tensors as .safetensors)");
        Path medConfig = options.fileOr("med_config", checkpoint.resolveSibling("med_config.json"),
                "BLIP's med_config.json (published beside ImageReward.pt)");
        Path vocab = options.fileOr("vocab", checkpoint.resolveSibling("vocab.txt"), "the vocab.txt of bert-base-uncased");
        String preprocess = options.choice("preprocess", List.of("tensor-antialias", "tensor", "pil"), DEFAULT_PREPROCESS);
        Integer heads = context.integerOption(id(), "vision_heads", null, 1);
        return ImageReward.load(checkpoint, medConfig, vocab, PREPROCESS.get(preprocess), heads, context.device());
    }
}
