package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.Conv2d} with a square kernel: weight (out, in, k, k), bias (out) unless disabled. */
public final class Conv2dLayer extends Module {
    private final Param weight;
    private final Param bias;
    private final int stride;
    private final int padding;

    public Conv2dLayer(long in, long out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, true);
    }

    /** With {@code bias = false} the layer has no bias key (e.g. CLIP's patch embedding). */
    public Conv2dLayer(long in, long out, int kernel, int stride, int padding, boolean bias) {
        this.stride = stride;
        this.padding = padding;
        long fanIn = in * kernel * kernel;
        this.weight = param("weight", Init.fanIn(fanIn), out, in, kernel, kernel);
        this.bias = bias ? param("bias", Init.fanIn(fanIn), out) : null;
    }

    /** A kernel-k convolution with stride 1 and "same" padding. */
    public static Conv2dLayer same(long in, long out, int kernel) {
        return new Conv2dLayer(in, out, kernel, 1, kernel / 2);
    }

    public NDArray forward(NDArray x) {
        return F.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride, padding);
    }

    public Param weight() {
        return weight;
    }
}
