package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Module;

/** BERT's attention sub-layer: attention ({@code self}) then the residual LayerNorm ({@code output}). */
public final class BertAttention extends Module {
    private final BertSelfAttention self;
    private final BertResidualOutput output;

    public BertAttention(BertConfig c, int contextWidth) {
        this.self = child("self", new BertSelfAttention(c.hiddenSize(), contextWidth, c.numAttentionHeads()));
        this.output = child("output", new BertResidualOutput(c.hiddenSize(), c.hiddenSize(), c.layerNormEps()));
    }

    /** See {@link BertSelfAttention#forward}; the residual is {@code x}. */
    public NDArray forward(NDArray x, NDArray context, NDArray additiveMask) {
        return output.forward(self.forward(x, context, additiveMask), x);
    }
}
