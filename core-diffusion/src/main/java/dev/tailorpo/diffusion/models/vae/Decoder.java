package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers' VAE {@code Decoder}: conv_in from the latent channels, mid block with attention, up
 * blocks (one more resnet each than the encoder's), GroupNorm, SiLU, conv_out to the image.
 */
public final class Decoder extends Module {
    private final Conv2dLayer convIn;
    private final ModuleList<UpDecoderBlock2D> upBlocks;
    private final UNetMidBlock2D midBlock;
    private final GroupNormLayer convNormOut;
    private final Conv2dLayer convOut;

    Decoder(VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        int groups = c.normNumGroups();
        float eps = Encoder.EPS;
        this.convIn = child("conv_in", Conv2dLayer.same(c.latentChannels(), ch.get(n - 1), 3));
        // registered before the mid block, as diffusers does: this fixes the state-dict order
        this.upBlocks = child("up_blocks", new ModuleList<>());
        this.midBlock = child("mid_block", new UNetMidBlock2D(ch.get(n - 1), groups, eps, c.midBlockAddAttention()));
        int out = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = ch.get(n - 1 - i);
            upBlocks.add(new UpDecoderBlock2D(c.layersPerBlock() + 1, in, out, groups, eps, i < n - 1));
        }
        this.convNormOut = child("conv_norm_out", new GroupNormLayer(groups, ch.get(0), eps));
        this.convOut = child("conv_out", Conv2dLayer.same(ch.get(0), c.outChannels(), 3));
    }

    /** (B, latent, h, w) VAE latents (unscaled) to (B, out, h * f, w * f) in [-1, 1] (roughly). */
    public NDArray forward(NDArray z) {
        NDArray h = z;
        for (UnaryOperator<NDArray> stage : stages()) {
            h = stage.apply(h);
        }
        return h;
    }

    /**
     * {@link #forward} as its stages, whose composition it is: conv_in with the mid block, each up
     * block, the output head. A gradient taken stage by stage ({@link dev.tailorpo.diffusion.nn.ChainGradient#stageByStage})
     * then holds one up block's graph at a time; the last ones, at full resolution, are the largest.
     */
    public List<UnaryOperator<NDArray>> stages() {
        List<UnaryOperator<NDArray>> stages = new ArrayList<>();
        stages.add(z -> midBlock.forward(convIn.forward(z)));
        for (UpDecoderBlock2D b : upBlocks) {
            stages.add(b::forward);
        }
        stages.add(h -> convOut.forward(F.silu(convNormOut.forward(h))));
        return stages;
    }
}
