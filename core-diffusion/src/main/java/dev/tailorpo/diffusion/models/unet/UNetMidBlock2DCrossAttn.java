package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.diffusion.models.blocks.ResnetBlock2D;
import dev.tailorpo.diffusion.models.blocks.Transformer2DModel;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

/** diffusers' {@code UNetMidBlock2DCrossAttn}: resnet, then (transformer, resnet) once. */
public final class UNetMidBlock2DCrossAttn extends Module {
    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;

    UNetMidBlock2DCrossAttn(UNetConfig c) {
        int ch = c.blockOutChannels().get(c.blockOutChannels().size() - 1);
        int last = c.blockOutChannels().size() - 1;
        int heads = c.heads(last);
        float scale = c.midBlockScaleFactor();
        this.attentions = child("attentions", new ModuleList<>());
        this.resnets = child("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(ch, ch, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), scale));
        attentions.add(new Transformer2DModel(heads, ch / heads, ch, c.transformerLayersPerBlock(last),
                c.crossAttentionDim(), c.normNumGroups(), c.useLinearProjection()));
        resnets.add(new ResnetBlock2D(ch, ch, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), scale));
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        NDArray h = resnets.get(0).forward(x, temb);
        for (int i = 0; i < attentions.size(); i++) {
            h = resnets.get(i + 1).forward(attentions.get(i).forward(h, context), temb);
        }
        return h;
    }
}
