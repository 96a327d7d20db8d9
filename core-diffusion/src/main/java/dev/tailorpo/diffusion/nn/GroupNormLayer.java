package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.GroupNorm} with affine weight and bias (DJL has no GroupNorm block). */
public final class GroupNormLayer extends Module {
    private final int groups;
    private final float eps;
    private final Param weight;
    private final Param bias;

    public GroupNormLayer(int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = param("weight", Init.ones(), channels);
        this.bias = param("bias", Init.zeros(), channels);
    }

    public NDArray forward(NDArray x) {
        return F.groupNorm(x, groups, weight.array(), bias.array(), eps);
    }
}
