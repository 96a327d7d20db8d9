package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * BERT's post-norm residual step, {@code LayerNorm(dense(h) + residual)}: transformers'
 * {@code BertSelfOutput} (after attention) and {@code BertOutput} (after the feed-forward), which
 * differ only in the width of {@code h}.
 */
public final class BertResidualOutput extends Module {
    private final LinearLayer dense;
    private final LayerNormLayer layerNorm;

    public BertResidualOutput(int inWidth, int hidden, double eps) {
        this.dense = child("dense", new LinearLayer(inWidth, hidden, true));
        this.layerNorm = child("LayerNorm", new LayerNormLayer(hidden, (float) eps));
    }

    public NDArray forward(NDArray h, NDArray residual) {
        return layerNorm.forward(dense.forward(h).add(residual));
    }
}
