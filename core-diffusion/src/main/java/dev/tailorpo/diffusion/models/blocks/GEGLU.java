package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * diffusers' {@code GEGLU}: one projection {@code proj} to twice the width, split into a value half
 * and a gate half, {@code value * gelu(gate)} (exact erf GELU, as torch's default).
 */
public final class GEGLU extends Module {
    private final LinearLayer proj;

    public GEGLU(int dimIn, int dimOut) {
        this.proj = child("proj", new LinearLayer(dimIn, 2L * dimOut, true));
    }

    public NDArray forward(NDArray x) {
        NDArray y = proj.forward(x);
        NDList halves = y.split(2, y.getShape().dimension() - 1);   // DJL's split takes no negative axis
        return halves.get(0).mul(F.gelu(halves.get(1)));
    }
}
