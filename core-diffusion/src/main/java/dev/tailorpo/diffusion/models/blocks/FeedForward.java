package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Dropout;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * diffusers' {@code FeedForward} with {@code activation_fn="geglu"}: {@code net.0} is a GEGLU to
 * four times the width, {@code net.1} a dropout, {@code net.2} the projection back.
 */
public final class FeedForward extends Module {
    private final GEGLU act;
    private final LinearLayer out;

    public FeedForward(int dim) {
        int inner = 4 * dim;
        ModuleList<Module> net = child("net", new ModuleList<>());
        this.act = (GEGLU) net.add(new GEGLU(dim, inner));
        net.add(new Dropout(0));
        this.out = (LinearLayer) net.add(new LinearLayer(inner, dim, true));
    }

    public NDArray forward(NDArray x) {
        return out.forward(act.forward(x));
    }
}
