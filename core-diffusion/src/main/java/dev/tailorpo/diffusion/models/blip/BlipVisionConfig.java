package dev.tailorpo.diffusion.models.blip;

import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.io.TensorSource;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sizes of BLIP's ViT image encoder ({@code models/vit.py} of BLIP and ImageReward).
 *
 * <p>BLIP builds the tower from a name ({@code vit='base'} or {@code 'large'}) and an image size,
 * not from a config file, so {@link #fromWeights} reads every size that the weights determine from
 * their shapes. The number of heads is the one size no shape reveals; BLIP's towers (ViT-B/16 with
 * 12 heads of 768, ViT-L/16 with 16 heads of 1024) both use 64-wide heads, which is
 * {@link #DEFAULT_HEAD_WIDTH}.
 *
 * @param mlpHidden the width of each block's MLP ({@code mlp_ratio} 4 times {@code width} in BLIP)
 * @param layerNormEps 1e-6 in BLIP ({@code partial(nn.LayerNorm, eps=1e-6)})
 */
public record BlipVisionConfig(int imageSize, int patchSize, int width, int depth, int heads, int mlpHidden,
                               double layerNormEps) {
    /** The head width of both of BLIP's towers. */
    public static final int DEFAULT_HEAD_WIDTH = 64;

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.");

    public BlipVisionConfig {
        if (imageSize <= 0 || patchSize <= 0 || width <= 0 || depth <= 0 || heads <= 0 || mlpHidden <= 0) {
            throw new ModelFormatException("BLIP vision config: every size must be positive, got " + this);
        }
        if (width % heads != 0) {
            throw new ModelFormatException("BLIP vision config: width " + width + " is not divisible by " + heads + " heads");
        }
        if (imageSize % patchSize != 0) {
            throw new ModelFormatException("BLIP vision config: image size " + imageSize
                    + " is not a multiple of the patch size " + patchSize);
        }
    }

    /** Patches per side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** The sequence length: one token per patch plus the class token. */
    public int tokens() {
        return gridSize() * gridSize() + 1;
    }

    /**
     * The sizes the weights under {@code prefix} (e.g. {@code blip.visual_encoder.}) determine:
     * patch size and width from {@code patch_embed.proj.weight} (width, 3, p, p), the image size
     * from the number of positions in {@code pos_embed} (1, 1 + grid^2, width), the depth from the
     * highest {@code blocks.N}, the MLP width from {@code blocks.0.mlp.fc1.weight}.
     *
     * @param heads the attention heads, which no shape reveals
     * @throws ModelFormatException naming the source and the key that is absent or mis-shaped
     */
    public static BlipVisionConfig fromWeights(TensorSource source, String prefix, int heads) {
        long[] patch = shape(source, prefix + "patch_embed.proj.weight", 4);
        if (patch[1] != 3 || patch[2] != patch[3]) {
            throw notBlip(source, prefix + "patch_embed.proj.weight", patch, "(width, 3, p, p)");
        }
        int width = (int) patch[0];
        int patchSize = (int) patch[2];
        long[] pos = shape(source, prefix + "pos_embed", 3);
        long grid = Math.round(Math.sqrt(pos[1] - 1));
        if (pos[0] != 1 || pos[2] != width || grid * grid != pos[1] - 1) {
            throw notBlip(source, prefix + "pos_embed", pos, "(1, 1 + grid^2, " + width + ")");
        }
        int depth = 0;
        for (String key : source.keys()) {
            if (key.startsWith(prefix)) {
                Matcher m = BLOCK.matcher(key.substring(prefix.length()));
                if (m.lookingAt()) {
                    depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
                }
            }
        }
        long[] fc1 = shape(source, prefix + "blocks.0.mlp.fc1.weight", 2);
        return new BlipVisionConfig((int) grid * patchSize, patchSize, width, depth, heads, (int) fc1[0], 1e-6);
    }

    private static long[] shape(TensorSource source, String key, int rank) {
        if (!source.keys().contains(key)) {
            throw new ModelFormatException(source.describe() + " holds no BLIP ViT weights: no tensor '" + key + "'");
        }
        TensorInfo info = source.info(key);
        if (info.shape().length != rank) {
            throw notBlip(source, key, info.shape(), rank + "-d");
        }
        return info.shape();
    }

    private static ModelFormatException notBlip(TensorSource source, String key, long[] shape, String expected) {
        return new ModelFormatException(source.describe() + ": '" + key + "' has shape " + Arrays.toString(shape)
                + ", not the " + expected + " of a BLIP ViT");
    }
}
