package dev.tailorpo.rewards.clip;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.OpenClipConfig;
import dev.tailorpo.rewards.RewardOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Providers of the CLIP-based rewards. Nothing is downloaded: the CLIP snapshot is a folder the
 * user names with the {@code clip} option. Paths in options resolve against the working directory;
 * the default aesthetic head and open_clip vocabulary resolve against the TailorPO-J folder (see
 * {@link #home()}).
 */
public final class ClipRewardProviders {
    /** Where the repository keeps the real LAION head, relative to the TailorPO-J folder. */
    public static final String DEFAULT_HEAD = "data/weights/sac+logos+ava1-l14-linearMSE.pth";
    /** open_clip's BPE vocabulary, shipped with the repository, relative to the TailorPO-J folder. */
    public static final String DEFAULT_OPEN_CLIP_VOCAB = "data/vocab/bpe_simple_vocab_16e6.txt.gz";

    /** The system property naming the TailorPO-J folder (the CLI launcher sets it; see the eval module's CliContext). */
    static final String HOME_PROPERTY = "tailor.home";

    private static final String CLIP_WHAT = "the path to a transformers CLIPModel snapshot folder"
            + " (config.json + model.safetensors)";

    private ClipRewardProviders() {}

    /**
     * The TailorPO-J folder: the {@value #HOME_PROPERTY} system property, else the working
     * directory (the same rule as the CLI's).
     */
    static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
    }

    /**
     * {@code laion-aesthetic}: options {@code clip} (required; CLIP ViT-L/14, e.g. a snapshot of
     * openai/clip-vit-large-patch14) and {@code head} (default {@value #DEFAULT_HEAD} under the
     * TailorPO-J folder).
     */
    public static final class LaionAestheticProvider implements RewardProvider {
        @Override
        public String id() {
            return LaionAesthetic.ID;
        }

        @Override
        public String description() {
            return "LAION aesthetic predictor (CLIP ViT-L/14 + MLP head), about 1..10, differentiable";
        }

        @Override
        public RewardModel create(RewardContext context) {
            return create(context, home());
        }

        LaionAesthetic create(RewardContext context, Path home) {
            RewardOptions options = new RewardOptions(id(), context, Set.of("clip", "head"));
            Path clip = options.requiredFolder("clip", CLIP_WHAT + ", CLIP ViT-L/14 for the real head,"
                    + " e.g. a download of openai/clip-vit-large-patch14");
            Path head = options.optionalFile("head");
            if (head == null) {
                head = home.resolve(DEFAULT_HEAD);
                if (!Files.isRegularFile(head)) {
                    throw new ConfigException("reward '" + id() + "': option 'head' is not set and the default head "
                            + head + " does not exist; set 'head' to the aesthetic head weights (.pth or .safetensors)");
                }
            }
            return LaionAesthetic.load(clip, head, context.device());
        }
    }

    /**
     * {@code clip-score}: options {@code clip} (required) and {@code tokenizer} (default: the
     * snapshot's {@code tokenizer/} sub-folder, else the snapshot folder itself).
     */
    public static final class ClipScoreProvider implements RewardProvider {
        @Override
        public String id() {
            return ClipScore.ID;
        }

        @Override
        public String description() {
            return "PickScore-style CLIP similarity exp(logit_scale) * cos(image, prompt), differentiable";
        }

        @Override
        public RewardModel create(RewardContext context) {
            RewardOptions options = new RewardOptions(id(), context, Set.of("clip", "tokenizer"));
            Path clip = options.requiredFolder("clip", CLIP_WHAT + ", e.g. a download of yuvalkirstain/PickScore_v1"
                    + " or openai/clip-vit-large-patch14");
            Path tokenizer = ClipSnapshot.tokenizerDir(id(), clip, options.optionalFolder("tokenizer"), "tokenizer");
            return ClipScore.load(clip, tokenizer, context.device());
        }
    }

    /**
     * {@code hpsv2}: options {@code checkpoint} (required; {@code HPS_v2_compressed.pt} or
     * {@code HPS_v2.1_compressed.pt}, or the same tensors as safetensors), {@code model_config} (an
     * open_clip model config JSON; default ViT-H-14, HPSv2's network), {@code vocab} (default
     * {@value #DEFAULT_OPEN_CLIP_VOCAB} under the TailorPO-J folder) and {@code antialias} (default
     * false, as HPSv2's published environment resized).
     */
    public static final class HpsV2Provider implements RewardProvider {
        @Override
        public String id() {
            return HpsV2.ID;
        }

        @Override
        public String description() {
            return "HPSv2 / HPSv2.1 human preference score: cos(open_clip ViT-H-14 image, prompt), differentiable";
        }

        @Override
        public RewardModel create(RewardContext context) {
            return create(context, home());
        }

        HpsV2 create(RewardContext context, Path home) {
            RewardOptions options = new RewardOptions(id(), context, Set.of("checkpoint", "model_config", "vocab", "antialias"));
            Path checkpoint = options.requiredFile("checkpoint", "an HPSv2 checkpoint, HPS_v2_compressed.pt or"
                    + " HPS_v2.1_compressed.pt of xswu/HPSv2 (or the same tensors as .safetensors)");
            Path configFile = options.optionalFile("model_config");
            ClipConfig config = configFile == null ? OpenClipConfig.vitH14() : OpenClipConfig.read(configFile);
            Path vocab = options.fileOr("vocab", home.resolve(DEFAULT_OPEN_CLIP_VOCAB),
                    "open_clip's bpe_simple_vocab_16e6.txt.gz");
            boolean antialias = context.booleanOption(id(), "antialias", false);
            return HpsV2.load(checkpoint, config, vocab, antialias, context.device());
        }
    }
}

