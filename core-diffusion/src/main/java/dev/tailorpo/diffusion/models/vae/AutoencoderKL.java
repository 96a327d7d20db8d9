package dev.tailorpo.diffusion.models.vae;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.Module;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * diffusers' {@code AutoencoderKL} (SD's VAE), with diffusers' parameter names.
 *
 * <p><b>Scaling convention.</b> The diffusion model works on latents scaled by
 * {@code scaling_factor} (0.18215 for SD 1.x). In this class {@link #decode} and
 * {@link #encodeLatents} speak the <em>diffusion model's</em> (scaled) units and apply the factor
 * themselves, so a pipeline never multiplies or divides by it: {@code decode(latents)} equals
 * diffusers' {@code vae.decode(latents / scaling_factor)}. {@link #decodeRaw} and
 * {@link #encodeMean} are diffusers' own {@code decode} and {@code latent_dist.mean}, in the VAE's
 * unscaled units.
 */
public final class AutoencoderKL extends Module {
    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2dLayer quantConv;
    private final Conv2dLayer postQuantConv;

    /** Declares the network for {@code config} without allocating any weight. */
    public AutoencoderKL(VaeConfig config) {
        this.config = config;
        int latent = config.latentChannels();
        this.encoder = child("encoder", new Encoder(config));
        this.decoder = child("decoder", new Decoder(config));
        this.quantConv = config.useQuantConv() ? child("quant_conv", new Conv2dLayer(2L * latent, 2L * latent, 1, 1, 0)) : null;
        this.postQuantConv = config.usePostQuantConv() ? child("post_quant_conv", new Conv2dLayer(latent, latent, 1, 1, 0)) : null;
    }

    /** The weights file of a diffusers snapshot's {@code vae/} folder. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    /**
     * Loads a diffusers {@code vae/} folder ({@code config.json} and {@value #WEIGHTS_FILE})
     * strictly; the weights are frozen.
     */
    public static AutoencoderKL load(Path vaeDir, NDManager manager) {
        VaeConfig config = VaeConfig.read(vaeDir.resolve("config.json"));
        // SafeTensorsFile names the missing or corrupt file
        try (TensorSource source = SafeTensorsFile.open(vaeDir.resolve(WEIGHTS_FILE))) {
            return load(config, source, manager);
        }
    }

    /** Builds the network for {@code config} and loads its weights strictly from {@code source}. */
    public static AutoencoderKL load(VaeConfig config, TensorSource source, NDManager manager) {
        AutoencoderKL vae = new AutoencoderKL(config);
        vae.load(source, "", Set.of(), manager);
        return vae;
    }

    public VaeConfig config() {
        return config;
    }

    /**
     * Decodes latents in the diffusion model's (scaled) units: {@code decoder(post_quant_conv(latents
     * / scaling_factor))}, i.e. diffusers' {@code vae.decode(latents / scaling_factor)}.
     *
     * <p>One image at a time, as diffusers' {@code enable_vae_slicing} does: each image's pass frees
     * its temporaries (DJL holds every array until its manager closes) before the next begins, so a
     * batch costs one image's peak (at 512 x 512, tensors of 128-256 channels at full resolution).
     * The values are those of one pass over the batch up to float rounding: the convolution kernels
     * block a batch of one differently (1e-7 on sd-tiny, VaeParityTest).
     *
     * @param latents (B, latent_channels, h, w)
     * @return (B, out_channels, h * f, w * f), images in about [-1, 1], in the latents' manager
     */
    public NDArray decode(NDArray latents) {
        long b = latents.getShape().get(0);
        NDList images = new NDList();
        for (long i = 0; i < b; i++) {
            images.add(F.scoped(latents.get(i + ":" + (i + 1)), z -> decodeRaw(Scalars.div(z, config.scalingFactor()))));
        }
        return b == 1 ? images.get(0) : NDArrays.concat(images, 0);
    }

    /** diffusers' {@code vae.decode(z)}: {@code z} in the VAE's own (unscaled) units. */
    public NDArray decodeRaw(NDArray z) {
        return decoder.forward(postQuant(z));
    }

    /**
     * {@link #decode} as stages whose composition it is (the decoder's, with the scaling and
     * post_quant_conv in the first), for a gradient taken stage by stage.
     */
    public List<UnaryOperator<NDArray>> decodeStages() {
        List<UnaryOperator<NDArray>> stages = new ArrayList<>(decoder.stages());
        UnaryOperator<NDArray> first = stages.get(0);
        stages.set(0, latents -> first.apply(postQuant(Scalars.div(latents, config.scalingFactor()))));
        return stages;
    }

    private NDArray postQuant(NDArray z) {
        checkChannels(z, config.latentChannels(), "latents");
        return postQuantConv == null ? z : postQuantConv.forward(z);
    }

    /**
     * The posterior mean in the VAE's own (unscaled) units: diffusers'
     * {@code vae.encode(image).latent_dist.mean}.
     *
     * @param image (B, in_channels, H, W) in [-1, 1]
     */
    public NDArray encodeMean(NDArray image) {
        checkChannels(image, config.inChannels(), "image");
        NDArray moments = encoder.forward(image);
        if (quantConv != null) {
            moments = quantConv.forward(moments);
        }
        return moments.split(2, 1).get(0);
    }

    /** The posterior mean in the diffusion model's (scaled) units: {@code encodeMean(image) * scaling_factor}. */
    public NDArray encodeLatents(NDArray image) {
        return Scalars.mul(encodeMean(image), config.scalingFactor());
    }

    private static void checkChannels(NDArray x, int channels, String what) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != channels) {
            throw new InvalidInputException("VAE " + what + " must be (B, " + channels + ", H, W), got " + x.getShape());
        }
    }
}
