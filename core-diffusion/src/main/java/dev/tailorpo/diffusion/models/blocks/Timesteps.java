package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.Module;

/**
 * diffusers' {@code Timesteps}: the sinusoidal embedding of (possibly fractional) timesteps,
 * {@code get_timestep_embedding} with max period 10000. It has no weights. The frequencies and
 * products are computed by libtorch in float32 in the same order as diffusers: at t near 1000 a
 * single rounding difference in a frequency moves sin/cos by about 1e-4, which is the whole parity
 * budget.
 */
public final class Timesteps extends Module {
    private static final double MAX_PERIOD = 10000;

    private final int dim;
    private final boolean flipSinToCos;
    private final float freqShift;

    public Timesteps(int dim, boolean flipSinToCos, float freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    /**
     * @param timesteps (B) timesteps of any numeric type
     * @param manager where the result goes (the caller's step manager)
     * @return (B, dim) float32, [cos, sin] when flipped (SD), else [sin, cos]
     */
    public NDArray forward(NDArray timesteps, NDManager manager) {
        int half = dim / 2;
        // a copy attached to the step manager, so that nothing lands in the caller's manager
        NDArray t = timesteps.toType(DataType.FLOAT32, true);
        t.attach(manager);
        NDArray exponent = manager.arange(0f, (float) half, 1f).mul((float) -Math.log(MAX_PERIOD)).div(half - freqShift);
        NDArray args = t.reshape(-1, 1).mul(exponent.exp().reshape(1, -1));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (dim % 2 == 1) {
            emb = emb.concat(manager.zeros(new Shape(emb.getShape().get(0), 1)), 1);
        }
        return emb;
    }

    public int dim() {
        return dim;
    }
}
