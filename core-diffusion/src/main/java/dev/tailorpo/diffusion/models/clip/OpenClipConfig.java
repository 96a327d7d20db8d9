package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.models.ConfigJson;

import java.nio.file.Path;
import java.util.List;

/**
 * An open_clip model config ({@code model_configs/<name>.json}, or the {@code model_cfg} of an
 * {@code open_clip_config.json}) read as the {@link ClipConfig} of the same network, so that
 * open_clip checkpoints such as HPSv2's run on {@link ClipModel} (their weights renamed by
 * {@link OpenClipStateDict}).
 *
 * <p>The correspondence: {@code embed_dim} is the projection width; a tower's heads are its
 * {@code width / head_width} (vision) or {@code heads} (text); the MLP is {@code mlp_ratio} times
 * the width; LayerNorm eps is torch's 1e-5; the activation is the exact GELU unless the config says
 * {@code quick_gelu} (OpenAI's weights). Text pooling is at the first end-of-text token, which for
 * open_clip's tokenizer (end-of-text = the largest id) is where open_clip's argmax pools. Features
 * of open_clip this class does not implement (timm or Hugging Face towers, attentional pooling,
 * layer scale, other pooling types) are refused by name rather than ignored.
 */
public final class OpenClipConfig {
    /** open_clip's ViT-H-14 ({@code model_configs/ViT-H-14.json}), the network of HPSv2 and HPSv2.1. */
    public static final String VIT_H_14 = """
            {"embed_dim": 1024,
             "vision_cfg": {"image_size": 224, "layers": 32, "width": 1280, "head_width": 80, "patch_size": 14},
             "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 1024, "heads": 16, "layers": 24}}""";

    /** Settings that change the network when set (patch dropout, a training-only setting, is not among them). */
    private static final List<String> UNSUPPORTED_VISION = List.of("timm_model_name", "attentional_pool",
            "attn_pooler_queries", "global_average_pool", "ls_init_value", "input_patchnorm", "no_ln_pre",
            "final_ln_after_pool", "act_kwargs", "norm_kwargs");
    private static final List<String> UNSUPPORTED_TEXT = List.of("hf_model_name", "ls_init_value", "embed_cls",
            "proj_bias", "no_causal_mask", "act_kwargs", "norm_kwargs");
    private static final double LAYER_NORM_EPS = 1e-5;

    private OpenClipConfig() {}

    /** Reads a config file: a bare model config, or one under {@code model_cfg}. */
    public static ClipConfig read(Path file) {
        ConfigJson root = ConfigJson.read(file);
        return from(root.has("model_cfg") ? root.section("model_cfg") : root);
    }

    /** The ViT-H-14 config HPSv2 uses. */
    public static ClipConfig vitH14() {
        return from(ConfigJson.parse(VIT_H_14, "open_clip ViT-H-14"));
    }

    static ClipConfig from(ConfigJson c) {
        int embed = c.positive("embed_dim", c.getInt("embed_dim", 0));
        ClipActivation act = c.getBoolean("quick_gelu", false) ? ClipActivation.QUICK_GELU : ClipActivation.GELU;
        ConfigJson v = c.section("vision_cfg");
        ConfigJson t = c.section("text_cfg");
        refuse(v, UNSUPPORTED_VISION);
        refuse(t, UNSUPPORTED_TEXT);
        expect(v, "pool_type", "tok");
        expect(t, "pool_type", "argmax");

        int vWidth = v.positive("width", v.getInt("width", 768));
        int headWidth = v.positive("head_width", v.getInt("head_width", 64));
        if (vWidth % headWidth != 0) {
            throw new ModelFormatException(v.source() + ": width " + vWidth + " is not a multiple of head_width " + headWidth);
        }
        ClipVisionConfig vision = new ClipVisionConfig(vWidth, mlpWidth(v, vWidth),
                v.positive("layers", v.getInt("layers", 12)), vWidth / headWidth, 3,
                v.positive("image_size", v.getInt("image_size", 224)), v.positive("patch_size", v.getInt("patch_size", 16)),
                act, LAYER_NORM_EPS, embed);

        int tWidth = t.positive("width", t.getInt("width", 512));
        int vocab = t.positive("vocab_size", t.getInt("vocab_size", 49408));
        ClipTextConfig text = new ClipTextConfig(vocab, tWidth, mlpWidth(t, tWidth), t.positive("layers", t.getInt("layers", 12)),
                t.positive("heads", t.getInt("heads", 8)), t.positive("context_length", t.getInt("context_length", 77)),
                act, LAYER_NORM_EPS, embed, vocab - 2, vocab - 1, 0);
        // open_clip initialises logit_scale to log(1 / 0.07); it only matters when training from scratch
        return new ClipConfig(text, vision, embed, Math.log(1 / 0.07));
    }

    private static int mlpWidth(ConfigJson tower, int width) {
        double ratio = tower.getDouble("mlp_ratio", 4.0);
        double hidden = width * ratio;
        if (hidden != Math.rint(hidden) || hidden <= 0) {
            throw new ModelFormatException(tower.source() + ": mlp_ratio " + ratio + " times width " + width
                    + " is not a positive whole number");
        }
        return (int) hidden;
    }

    private static void expect(ConfigJson tower, String key, String supported) {
        String value = tower.getString(key, supported);
        if (!value.equals(supported)) {
            throw new ModelFormatException(tower.source() + ": " + key + " '" + value + "' is not supported (only '"
                    + supported + "')");
        }
    }

    private static void refuse(ConfigJson tower, List<String> unsupported) {
        for (String key : unsupported) {
            if (tower.isSet(key)) {
                throw new ModelFormatException(tower.source() + ": '" + key + "' is an open_clip feature this "
                        + "implementation does not have; only plain ViT towers with class-token pooling are supported");
            }
        }
    }
}
