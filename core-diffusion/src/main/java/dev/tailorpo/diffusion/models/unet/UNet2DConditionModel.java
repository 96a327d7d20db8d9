package dev.tailorpo.diffusion.models.unet;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.models.blocks.TimestepEmbedding;
import dev.tailorpo.diffusion.models.blocks.Timesteps;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormLayer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.ModuleList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * diffusers' {@code UNet2DConditionModel} for the SD 1.x/2.x family, predicting noise (or v) from
 * a noisy latent, its timestep and the text encoder's states. The module tree and parameter paths
 * are diffusers' own, so {@code diffusion_pytorch_model.safetensors} loads by name.
 *
 * <p>Building it from a {@link UNetConfig} only declares parameter shapes; weights are allocated
 * by {@link #load(Path, NDManager)} (or {@link Module#initialize} for training from scratch).
 * Loaded weights are frozen; mark what should train with {@link Module#setTrainable} or attach
 * LoRA adapters.
 *
 * <p>Forward results live in the manager of {@code sample} (call it inside a per-step
 * sub-manager); nothing is added to the manager holding the weights.
 */
public final class UNet2DConditionModel extends Module {
    /** The weights file of a diffusers snapshot's {@code unet/} folder. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    private final UNetConfig config;
    private final Conv2dLayer convIn;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final ModuleList<UNetDownBlock> downBlocks;
    private final ModuleList<UNetUpBlock> upBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final GroupNormLayer convNormOut;
    private final Conv2dLayer convOut;

    /** Declares the network for {@code config} without allocating any weight. */
    public UNet2DConditionModel(UNetConfig config) {
        config.validate();
        this.config = config;
        List<Integer> channels = config.blockOutChannels();
        int n = channels.size();
        int first = channels.get(0);
        this.convIn = child("conv_in", Conv2dLayer.same(config.inChannels(), first, config.convInKernel()));
        this.timeProj = child("time_proj", new Timesteps(first, config.flipSinToCos(), config.freqShift()));
        this.timeEmbedding = child("time_embedding", new TimestepEmbedding(first, config.timeEmbedDim()));
        // diffusers registers both block lists before the mid block, which fixes the state-dict order
        this.downBlocks = child("down_blocks", new ModuleList<>());
        this.upBlocks = child("up_blocks", new ModuleList<>());
        int out = first;
        for (int i = 0; i < n; i++) {
            int in = out;
            out = channels.get(i);
            boolean downsample = i < n - 1;
            downBlocks.add(config.downBlockTypes().get(i).equals("CrossAttnDownBlock2D")
                    ? new CrossAttnDownBlock2D(config, i, in, out, downsample)
                    : new DownBlock2D(config, i, in, out, downsample));
        }
        this.midBlock = child("mid_block", new UNetMidBlock2DCrossAttn(config));
        out = channels.get(n - 1);
        for (int i = 0; i < n; i++) {
            int prevOut = out;
            out = channels.get(n - 1 - i);
            int in = channels.get(Math.max(n - 2 - i, 0));
            boolean upsample = i < n - 1;
            upBlocks.add(config.upBlockTypes().get(i).equals("CrossAttnUpBlock2D")
                    ? new CrossAttnUpBlock2D(config, i, in, out, prevOut, upsample)
                    : new UpBlock2D(config, i, in, out, prevOut, upsample));
        }
        this.convNormOut = child("conv_norm_out", new GroupNormLayer(config.normNumGroups(), first, config.normEps()));
        this.convOut = child("conv_out", Conv2dLayer.same(first, config.outChannels(), config.convOutKernel()));
    }

    /**
     * Loads a diffusers {@code unet/} folder ({@code config.json} and {@value #WEIGHTS_FILE})
     * strictly: every missing, unexpected or mis-shaped key is reported at once.
     *
     * @param manager where the weights live (they stay frozen until marked trainable)
     */
    public static UNet2DConditionModel load(Path unetDir, NDManager manager) {
        UNetConfig config = UNetConfig.read(unetDir.resolve("config.json"));
        // SafeTensorsFile names the missing or corrupt file
        try (TensorSource source = SafeTensorsFile.open(unetDir.resolve(WEIGHTS_FILE))) {
            return load(config, source, manager);
        }
    }

    /**
     * Builds the network for {@code config} and loads its weights from {@code source} strictly:
     * every missing, unexpected or mis-shaped key is reported.
     *
     * @param manager where the weights live (they stay frozen until marked trainable)
     */
    public static UNet2DConditionModel load(UNetConfig config, TensorSource source, NDManager manager) {
        UNet2DConditionModel unet = new UNet2DConditionModel(config);
        unet.load(source, "", Set.of(), manager);
        return unet;
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * The model's prediction (noise for SD 1.5, v for SD 2.x 768).
     *
     * @param sample (B, in_channels, H, W) noisy latents
     * @param timesteps (B) one timestep per batch element (a single value is broadcast)
     * @param encoderHiddenStates (B, M, cross_attention_dim) text encoder states
     * @return (B, out_channels, H, W) in the manager of {@code sample}
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates) {
        return run(sample, timesteps, encoderHiddenStates, null);
    }

    /** {@link #forward} that also returns the named intermediates of {@link UNetOutput}. */
    public UNetOutput forwardWithIntermediates(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates) {
        Map<String, NDArray> intermediates = new LinkedHashMap<>();
        NDArray out = run(sample, timesteps, encoderHiddenStates, intermediates);
        return new UNetOutput(out, intermediates);
    }

    private NDArray run(NDArray sample, NDArray timesteps, NDArray context, Map<String, NDArray> record) {
        Shape s = sample.getShape();
        checkInputs(s, timesteps, context);
        NDManager m = sample.getManager();
        long batch = s.get(0);
        // the text states often live longer than a step (computed once per prompt): ops on them
        // (the K/V projections) must still put their results into the step's manager
        NDArray ctx = context.getManager() == m ? context : F.viewIn(context, context.getShape(), m);

        NDArray tproj = timeProj.forward(timesteps, m);
        if (tproj.getShape().get(0) != batch) {
            tproj = tproj.repeat(0, batch);   // one timestep for the whole batch
        }
        // the sinusoid is always computed in float32 (see Timesteps); then it takes the model's type
        // as diffusers' t_emb.to(dtype=sample.dtype) does
        NDArray emb = timeEmbedding.forward(tproj.toType(sample.getDataType(), false));
        NDArray h = config.centerInputSample() ? Scalars.mul(sample, 2).sub(1) : sample;
        h = convIn.forward(h);
        put(record, "conv_in", h);
        put(record, "time_embedding", emb);

        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (int i = 0; i < downBlocks.size(); i++) {
            UNetDownBlock.Output o = downBlocks.get(i).forward(h, emb, ctx);
            h = o.sample();
            skips.addAll(o.skips());
            put(record, "down_blocks." + i, h);
        }
        h = midBlock.forward(h, emb, ctx);
        put(record, "mid_block", h);

        // diffusers passes explicit sizes when the input is not a multiple of the overall factor,
        // so that an odd-sized skip state still lines up after nearest upsampling
        int factor = 1 << (upBlocks.size() - 1);
        boolean explicitSize = s.get(2) % factor != 0 || s.get(3) % factor != 0;
        for (int i = 0; i < upBlocks.size(); i++) {
            UNetUpBlock block = upBlocks.get(i);
            int k = block.numResnets();
            List<NDArray> mine = new ArrayList<>(skips.subList(skips.size() - k, skips.size()));
            skips.subList(skips.size() - k, skips.size()).clear();
            long[] size = null;
            if (explicitSize && i < upBlocks.size() - 1) {
                Shape next = skips.get(skips.size() - 1).getShape();
                size = new long[] {next.get(2), next.get(3)};
            }
            h = block.forward(h, mine, emb, ctx, size);
            put(record, "up_blocks." + i, h);
        }
        h = F.silu(convNormOut.forward(h));
        return convOut.forward(h);
    }

    private void checkInputs(Shape s, NDArray timesteps, NDArray context) {
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new InvalidInputException("UNet sample must be (B, " + config.inChannels() + ", H, W), got " + s);
        }
        long tn = timesteps.getShape().size();
        if (tn != 1 && tn != s.get(0)) {
            throw new InvalidInputException("UNet timesteps: expected 1 or " + s.get(0) + " values, got shape " + timesteps.getShape());
        }
        Shape c = context.getShape();
        if (c.dimension() != 3 || c.get(0) != s.get(0) || c.get(2) != config.crossAttentionDim()) {
            throw new InvalidInputException("UNet encoder_hidden_states must be (" + s.get(0) + ", M, "
                    + config.crossAttentionDim() + "), got " + c);
        }
    }

    private static void put(Map<String, NDArray> record, String name, NDArray value) {
        if (record != null) {
            record.put(name, value);
        }
    }
}
