package dev.tailorpo.diffusion.models.blip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.Module;

/** timm's {@code PatchEmbed}: non-overlapping patches embedded by a strided convolution with bias. */
public final class BlipPatchEmbed extends Module {
    private final Conv2dLayer proj;

    public BlipPatchEmbed(int patchSize, int width) {
        this.proj = child("proj", new Conv2dLayer(3, width, patchSize, patchSize, 0, true));
    }

    /** (B, 3, S, S) -> (B, patches, width), patches in row-major order. */
    public NDArray forward(NDArray pixels) {
        NDArray x = proj.forward(pixels);
        long b = x.getShape().get(0);
        long d = x.getShape().get(1);
        return x.reshape(b, d, -1).transpose(0, 2, 1);
    }
}
