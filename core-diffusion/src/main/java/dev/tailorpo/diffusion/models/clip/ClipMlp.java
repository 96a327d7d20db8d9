package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

/** transformers' {@code CLIPMLP}: {@code fc2(act(fc1(x)))}. */
public final class ClipMlp extends Module {
    private final LinearLayer fc1;
    private final LinearLayer fc2;
    private final ClipActivation activation;

    public ClipMlp(int dim, int intermediate, ClipActivation activation) {
        this.activation = activation;
        this.fc1 = child("fc1", new LinearLayer(dim, intermediate, true));
        this.fc2 = child("fc2", new LinearLayer(intermediate, dim, true));
    }

    public NDArray forward(NDArray x) {
        return fc2.forward(activation.apply(fc1.forward(x)));
    }
}
