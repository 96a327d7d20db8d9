package dev.tailorpo.diffusion.models.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.Init;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;
import dev.tailorpo.diffusion.nn.Param;

/**
 * BLIP's ViT image encoder ({@code VisionTransformer} of BLIP's {@code vit.py}, ImageReward's
 * {@code blip.visual_encoder}): patch embedding, a learned class token prepended, learned absolute
 * position embeddings added, pre-norm blocks, and a final LayerNorm over every token. The output
 * is the whole token sequence, which BLIP's text encoder cross-attends to.
 */
public final class BlipVisionTransformer extends Module {
    private final BlipVisionConfig config;
    private final Param clsToken;
    private final Param posEmbed;
    private final BlipPatchEmbed patchEmbed;
    private final ModuleList<BlipVitBlock> blocks;
    private final LayerNormLayer norm;

    public BlipVisionTransformer(BlipVisionConfig config) {
        this.config = config;
        this.clsToken = param("cls_token", Init.normal(0.02), 1, 1, config.width());
        this.posEmbed = param("pos_embed", Init.normal(0.02), 1, config.tokens(), config.width());
        this.patchEmbed = child("patch_embed", new BlipPatchEmbed(config.patchSize(), config.width()));
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(new BlipVitBlock(config));
        }
        this.norm = child("norm", new LayerNormLayer(config.width(), (float) config.layerNormEps()));
    }

    public BlipVisionConfig config() {
        return config;
    }

    /**
     * @param pixels (B, 3, S, S) normalised pixels at the configured image size; differentiable
     * @return (B, 1 + patches, width): the class token first
     */
    public NDArray forward(NDArray pixels) {
        Shape s = pixels.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
            throw new InvalidInputException("BLIP ViT pixels must be (batch, 3, " + size + ", " + size + "), got " + s);
        }
        NDArray patches = patchEmbed.forward(pixels);
        long b = patches.getShape().get(0);
        long d = config.width();
        // views owned by the activation's manager, so the concat and the sum land there too
        NDArray cls = F.viewIn(clsToken.array(), new Shape(1, 1, d), patches.getManager()).repeat(0, b);
        NDArray x = cls.concat(patches, 1).add(posEmbed.array());
        for (BlipVitBlock block : blocks) {
            x = block.forward(x);
        }
        return norm.forward(x);
    }
}
