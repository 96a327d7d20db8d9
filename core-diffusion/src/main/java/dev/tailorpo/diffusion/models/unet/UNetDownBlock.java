package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Module;

import java.util.List;

/** A down block of the UNet: it returns its output and every state the up path concatenates back. */
public abstract class UNetDownBlock extends Module {

    /**
     * @param x (B, C, H, W)
     * @param temb (B, timeEmbedDim)
     * @param context (B, M, crossAttentionDim) text states (ignored by blocks without attention)
     */
    public abstract Output forward(NDArray x, NDArray temb, NDArray context);

    /**
     * @param sample the block's output
     * @param skips the output of each resnet (after its attention) and of the downsampler, in
     *     order: diffusers' {@code res_samples}
     */
    public record Output(NDArray sample, List<NDArray> skips) {}
}
