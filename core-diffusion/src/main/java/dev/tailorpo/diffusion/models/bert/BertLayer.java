package dev.tailorpo.diffusion.models.bert;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/**
 * One layer of BLIP's BERT in its multimodal mode: masked self-attention, then (when the config
 * has cross-attention) attention to every image token, then the feed-forward
 * {@code output(gelu(intermediate(h)))}; each sub-layer is post-norm with a residual.
 */
public final class BertLayer extends Module {
    private final BertAttention attention;
    private final BertAttention crossattention;
    private final LinearLayer intermediate;
    private final BertResidualOutput output;

    /** transformers' {@code BertIntermediate}: the child {@code dense}. */
    private static final class Intermediate extends Module {
        final LinearLayer dense;

        Intermediate(int hidden, int width) {
            this.dense = child("dense", new LinearLayer(hidden, width, true));
        }
    }

    public BertLayer(BertConfig c) {
        this.attention = child("attention", new BertAttention(c, c.hiddenSize()));
        this.crossattention = c.crossAttention() ? child("crossattention", new BertAttention(c, c.encoderWidth())) : null;
        this.intermediate = child("intermediate", new Intermediate(c.hiddenSize(), c.intermediateSize())).dense;
        this.output = child("output", new BertResidualOutput(c.intermediateSize(), c.hiddenSize(), c.layerNormEps()));
    }

    /**
     * @param additiveMask the self-attention mask, see {@link BertModel#forward}
     * @param encoderStates (B, M, encoderWidth); every token is attended to (BLIP's image mask is
     *     all ones)
     */
    public NDArray forward(NDArray x, NDArray additiveMask, NDArray encoderStates) {
        // temporaries are freed when the layer returns (see F.scoped)
        return F.scoped(x, in -> {
            NDArray h = attention.forward(in, in, additiveMask);
            if (crossattention != null) {
                h = crossattention.forward(h, encoderStates, null);
            }
            return output.forward(F.gelu(intermediate.forward(h)), h);
        });
    }
}
