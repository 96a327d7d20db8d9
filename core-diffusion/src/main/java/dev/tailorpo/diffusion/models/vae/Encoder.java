package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.util.List;

/**
 * diffusers' VAE {@code Encoder}: conv_in, down blocks, mid block with attention, GroupNorm, SiLU,
 * conv_out to 2 x latent channels (mean and log-variance of the posterior).
 */
public final class Encoder extends Module {
    static final float EPS = 1e-6f;

    private final Conv2dLayer convIn;
    private final ModuleList<DownEncoderBlock2D> downBlocks;
    private final UNetMidBlock2D midBlock;
    private final GroupNormLayer convNormOut;
    private final Conv2dLayer convOut;

    Encoder(VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        int groups = c.normNumGroups();
        this.convIn = child("conv_in", Conv2dLayer.same(c.inChannels(), ch.get(0), 3));
        this.downBlocks = child("down_blocks", new ModuleList<>());
        int out = ch.get(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = ch.get(i);
            downBlocks.add(new DownEncoderBlock2D(c.layersPerBlock(), in, out, groups, EPS, i < n - 1));
        }
        this.midBlock = child("mid_block", new UNetMidBlock2D(ch.get(n - 1), groups, EPS, c.midBlockAddAttention()));
        this.convNormOut = child("conv_norm_out", new GroupNormLayer(groups, ch.get(n - 1), EPS));
        this.convOut = child("conv_out", Conv2dLayer.same(ch.get(n - 1), 2L * c.latentChannels(), 3));
    }

    /** (B, in, H, W) image to (B, 2 x latent, H / f, W / f) posterior moments. */
    public NDArray forward(NDArray x) {
        NDArray h = convIn.forward(x);
        for (DownEncoderBlock2D b : downBlocks) {
            h = b.forward(h);
        }
        h = midBlock.forward(h);
        return convOut.forward(F.silu(convNormOut.forward(h)));
    }
}
