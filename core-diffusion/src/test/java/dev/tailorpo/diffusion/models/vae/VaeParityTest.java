package dev.tailorpo.diffusion.models.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

/** The sd-tiny VAE against diffusers' outputs (testdata/sd-tiny/vae/reference.safetensors). */
class VaeParityTest {
    private static final double ATOL = 1e-4;

    @Test
    void decodeAndEncodeMatchDiffusers() {
        try (NDManager model = NDManager.newBaseManager();
             NDManager step = model.newSubManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("vae", "reference.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(TestData.sdTiny("vae"), model);
            // the fixture's decoded = diffusers decode(latents / scaling_factor) = our decode(latents)
            NDArray decoded = vae.decode(ref.load("latents", step));
            NDArray mean = vae.encodeMean(ref.load("image", step));
            System.out.printf("VAE parity vs diffusers: decoded max |diff| %.3g, encoded_mean max |diff| %.3g%n",
                    TestData.maxAbsDiff(ref.load("decoded", step), decoded), TestData.maxAbsDiff(ref.load("encoded_mean", step), mean));
            TestData.assertClose(ref.load("decoded", step), decoded, ATOL, 0, "decoded");
            TestData.assertClose(ref.load("encoded_mean", step), mean, ATOL, 0, "encoded_mean");
            TestData.assertClose(mean.mul(vae.config().scalingFactor()), vae.encodeLatents(ref.load("image", step)), 1e-7, 0, "encodeLatents");
        }
    }

    /**
     * Decoding a batch one image at a time gives what one pass over the whole batch gives, up to the
     * float rounding of convolution kernels that block a batch differently.
     */
    @Test
    void aBatchDecodedImageByImageEqualsOnePass() {
        try (NDManager model = NDManager.newBaseManager();
             NDManager step = model.newSubManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("vae", "reference.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(TestData.sdTiny("vae"), model);
            NDArray one = ref.load("latents", step);
            NDArray batch = one.concat(one.mul(-0.5f), 0).concat(one.add(0.25f), 0);
            NDArray onePass = vae.decodeRaw(batch.div(vae.config().scalingFactor()));
            NDArray byImage = vae.decode(batch);
            TestData.assertClose(onePass, byImage, 1e-5, 0, "decoded image by image");
        }
    }
}
