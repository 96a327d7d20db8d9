package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * diffusers' {@code Transformer2DModel} for continuous (B, C, H, W) input: GroupNorm (eps 1e-6),
 * {@code proj_in} to the tokens of the pixels, {@code transformer_blocks}, {@code proj_out} back,
 * plus the input. SD 1.x projects with 1x1 convolutions; SD 2.x ({@code use_linear_projection})
 * with linear layers after flattening, which is why the two checkpoints' proj weights differ in
 * rank.
 */
public final class Transformer2DModel extends Module {
    private static final float NORM_EPS = 1e-6f;

    private final GroupNormLayer norm;
    private final Conv2dLayer projInConv;
    private final LinearLayer projInLinear;
    private final ModuleList<BasicTransformerBlock> blocks;
    private final Conv2dLayer projOutConv;
    private final LinearLayer projOutLinear;

    public Transformer2DModel(int heads, int headDim, int inChannels, int numLayers, int crossAttentionDim,
                              int normGroups, boolean useLinearProjection) {
        int inner = heads * headDim;
        this.norm = child("norm", new GroupNormLayer(normGroups, inChannels, NORM_EPS));
        if (useLinearProjection) {
            this.projInConv = null;
            this.projInLinear = child("proj_in", new LinearLayer(inChannels, inner, true));
        } else {
            this.projInConv = child("proj_in", new Conv2dLayer(inChannels, inner, 1, 1, 0));
            this.projInLinear = null;
        }
        this.blocks = child("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            blocks.add(new BasicTransformerBlock(inner, heads, headDim, crossAttentionDim));
        }
        if (useLinearProjection) {
            this.projOutConv = null;
            this.projOutLinear = child("proj_out", new LinearLayer(inner, inChannels, true));
        } else {
            this.projOutConv = child("proj_out", new Conv2dLayer(inner, inChannels, 1, 1, 0));
            this.projOutLinear = null;
        }
    }

    /**
     * @param x (B, C, H, W)
     * @param context (B, M, crossAttentionDim) text states
     */
    public NDArray forward(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long height = s.get(2);
        long width = s.get(3);
        NDArray h = norm.forward(x);
        if (projInConv != null) {
            h = projInConv.forward(h);
        }
        long inner = h.getShape().get(1);
        h = h.transpose(0, 2, 3, 1).reshape(b, height * width, inner);   // pixels become tokens
        if (projInLinear != null) {
            h = projInLinear.forward(h);
            inner = h.getShape().get(2);
        }
        for (BasicTransformerBlock block : blocks) {
            h = block.forward(h, context);
        }
        if (projOutLinear != null) {
            h = projOutLinear.forward(h);
            inner = h.getShape().get(2);
        }
        h = h.reshape(b, height, width, inner).transpose(0, 3, 1, 2);
        if (projOutConv != null) {
            h = projOutConv.forward(h);
        }
        return h.add(x);
    }
}
