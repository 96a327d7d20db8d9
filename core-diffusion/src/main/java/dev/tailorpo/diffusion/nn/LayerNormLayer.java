package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.LayerNorm} over the last axis with affine weight and bias. */
public final class LayerNormLayer extends Module {
    private final float eps;
    private final Param weight;
    private final Param bias;

    public LayerNormLayer(long dim, float eps) {
        this.eps = eps;
        this.weight = param("weight", Init.ones(), dim);
        this.bias = param("bias", Init.zeros(), dim);
    }

    public NDArray forward(NDArray x) {
        return F.layerNorm(x, weight.array(), bias.array(), eps);
    }
}
