package dev.tailorpo.diffusion.lora;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Adapter;
import dev.tailorpo.diffusion.nn.Init;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

import java.util.function.BooleanSupplier;

/**
 * One LoRA side path, {@code scale * lora_B(lora_A(x))}, with peft's parameter names and
 * initialisation: A (rank, in) kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in));
 * B (out, rank) zeros, so a fresh adapter changes nothing until it has been trained.
 */
public final class LoraAdapter extends Module implements Adapter {
    private final LinearLayer loraA;
    private final LinearLayer loraB;
    private final float scale;
    private final BooleanSupplier enabled;

    /** @param enabled the shared switch of the {@link Lora} this adapter belongs to */
    LoraAdapter(long in, long out, int rank, float scale, BooleanSupplier enabled) {
        this.loraA = child("lora_A", new LinearLayer(in, rank, false, Init.fanIn(in)));
        this.loraB = child("lora_B", new LinearLayer(rank, out, false, Init.zeros()));
        this.scale = scale;
        this.enabled = enabled;
    }

    @Override
    public boolean active() {
        return enabled.getAsBoolean();
    }

    @Override
    public NDArray delta(NDArray x) {
        NDArray d = loraB.forward(loraA.forward(x));
        return scale == 1f ? d : Scalars.mul(d, scale);
    }

    public LinearLayer loraA() {
        return loraA;
    }

    public LinearLayer loraB() {
        return loraB;
    }
}
