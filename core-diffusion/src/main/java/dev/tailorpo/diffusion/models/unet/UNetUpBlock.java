package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Module;

import java.util.List;

/** An up block of the UNet: each resnet first concatenates one skip state along the channels. */
public abstract class UNetUpBlock extends Module {

    /** How many skip states the block consumes (one per resnet). */
    public abstract int numResnets();

    /**
     * @param x (B, C, H, W)
     * @param skips the {@link #numResnets()} skip states for this block, oldest first; they are
     *     consumed from the last
     * @param temb (B, timeEmbedDim)
     * @param context text states (ignored by blocks without attention)
     * @param upsampleSize target (H, W) of the upsampler, or null for 2x
     */
    public abstract NDArray forward(NDArray x, List<NDArray> skips, NDArray temb, NDArray context, long[] upsampleSize);
}
