package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/**
 * The small convolutional network behind the shapes world's learned rewards: conv stages (conv,
 * GroupNorm, SiLU; every stage after the first downsamples by 2), global average pooling and a
 * linear head. Input images in [0, 1] are mapped to [-1, 1] inside the network, so the whole
 * reward, preprocessing included, is one differentiable function of the pixels.
 */
public final class CriticNet extends Module {
    private final CriticConfig config;
    private final ModuleList<Stage> stages = child("stages", new ModuleList<>());
    private final LinearLayer head;

    /** One conv, GroupNorm, SiLU stage. */
    static final class Stage extends Module {
        private final Conv2dLayer conv;
        private final GroupNormLayer norm;

        Stage(int in, int out, int stride, int groups) {
            conv = child("conv", new Conv2dLayer(in, out, 3, stride, 1));
            norm = child("norm", new GroupNormLayer(groups, out, 1e-5f));
        }

        NDArray forward(NDArray x) {
            return F.silu(norm.forward(conv.forward(x)));
        }
    }

    public CriticNet(CriticConfig config) {
        this.config = config;
        int in = 3;
        for (int i = 0; i < config.channels().size(); i++) {
            int out = config.channels().get(i);
            stages.add(new Stage(in, out, i == 0 ? 1 : 2, config.groups()));
            in = out;
        }
        head = child("head", new LinearLayer(in, config.outputs(), true));
    }

    public CriticConfig config() {
        return config;
    }

    /** Outputs (B, outputs) for images (B, 3, S, S) in [0, 1]. */
    public NDArray forward(NDArray images01) {
        NDArray x = Scalars.mul(images01, 2).sub(1f);
        for (Stage s : stages) {
            x = s.forward(x);
        }
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray pooled = x.reshape(b, c, -1).mean(new int[] {2});
        return head.forward(pooled);
    }
}
