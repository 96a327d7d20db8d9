package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/** transformers' {@code CLIPEncoder}: the stack {@code layers.N}, shared by both towers. */
public final class ClipEncoder extends Module {
    private final ModuleList<ClipEncoderLayer> layers;

    public ClipEncoder(int layerCount, int dim, int heads, int intermediate, ClipActivation activation, float eps) {
        this.layers = child("layers", new ModuleList<>());
        for (int i = 0; i < layerCount; i++) {
            layers.add(new ClipEncoderLayer(dim, heads, intermediate, activation, eps));
        }
    }

    public NDArray forward(NDArray x, NDArray additiveMask) {
        NDArray h = x;
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h, additiveMask);
        }
        return h;
    }

    public ModuleList<ClipEncoderLayer> layers() {
        return layers;
    }
}
