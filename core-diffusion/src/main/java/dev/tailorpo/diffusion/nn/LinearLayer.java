package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** {@code nn.Linear}: weight (out, in), optional bias (out), optionally with an {@link Adapter}. */
public final class LinearLayer extends Module {
    private final Param weight;
    private final Param bias;
    private final long inFeatures;
    private final long outFeatures;
    private Adapter adapter;

    public LinearLayer(long in, long out, boolean bias) {
        this(in, out, bias, Init.fanIn(in));
    }

    /**
     * A layer whose weight starts from {@code weightInit} instead of PyTorch's default (LoRA's B
     * matrix starts at zero); the bias, if any, keeps the default.
     */
    public LinearLayer(long in, long out, boolean bias, Init weightInit) {
        this.inFeatures = in;
        this.outFeatures = out;
        this.weight = param("weight", weightInit, out, in);
        this.bias = bias ? param("bias", Init.fanIn(in), out) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray y = F.linear(x, weight.array(), bias == null ? null : bias.array());
        if (adapter != null && adapter.active()) {
            y = y.add(adapter.delta(x));
        }
        return y;
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    public Param weight() {
        return weight;
    }

    /** Attaches (or, with {@code null}, removes) a side path such as a LoRA adapter. */
    public void setAdapter(Adapter adapter) {
        this.adapter = adapter;
    }

    public Adapter adapter() {
        return adapter;
    }
}
