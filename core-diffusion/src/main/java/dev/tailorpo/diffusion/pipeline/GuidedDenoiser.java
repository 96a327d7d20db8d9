package dev.tailorpo.diffusion.pipeline;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;

/**
 * The UNet with classifier-free guidance: one pass over [x; x] with [unconditional; conditional]
 * text states, then {@code out_u + w (out_c - out_u)} on the model output (noise or v), as
 * diffusers' pipelines do. With w = 1 the unconditional pass is skipped.
 */
public final class GuidedDenoiser {
    private final UNet2DConditionModel unet;

    public GuidedDenoiser(UNet2DConditionModel unet) {
        this.unet = unet;
    }

    /**
     * The guided model output for {@code x} (B, C, H, W) at {@code timestep}, in the manager of x.
     * Records a graph when grad mode is on (inside a collector).
     */
    public NDArray predict(PromptEmbeddings c, NDArray x, int timestep, double guidanceScale) {
        long b = x.getShape().get(0);
        if (guidanceScale == 1.0) {
            return unet.forward(x, timesteps(x, b, timestep), c.conditional());
        }
        NDArray out = unet.forward(x.concat(x, 0), timesteps(x, 2 * b, timestep), c.unconditional().concat(c.conditional(), 0));
        NDList parts = out.split(2, 0);
        NDArray uncond = parts.get(0);
        NDArray cond = parts.get(1);
        return uncond.add(Scalars.mul(cond.sub(uncond), guidanceScale));
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    private static NDArray timesteps(NDArray x, long n, int timestep) {
        return x.getManager().full(new Shape(n), (float) timestep, DataType.FLOAT32);
    }
}
