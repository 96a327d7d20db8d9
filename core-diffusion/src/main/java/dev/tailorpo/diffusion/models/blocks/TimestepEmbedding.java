package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/** diffusers' {@code TimestepEmbedding}: {@code linear_2(silu(linear_1(x)))}. */
public final class TimestepEmbedding extends Module {
    private final LinearLayer linear1;
    private final LinearLayer linear2;

    public TimestepEmbedding(int in, int dim) {
        this.linear1 = child("linear_1", new LinearLayer(in, dim, true));
        this.linear2 = child("linear_2", new LinearLayer(dim, dim, true));
    }

    public NDArray forward(NDArray x) {
        return linear2.forward(F.silu(linear1.forward(x)));
    }
}
