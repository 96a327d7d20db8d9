package dev.tailorpo.diffusion.shapes.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One pretraining step of the shapes model on two images: the snapshot loads as a diffusers model,
 * and the exported EMA is the bias-corrected one. After T = 1 update the shadow is
 * d w_0 + (1 - d) w_1, so removing d w_0 and dividing by 1 - d must give exactly the trained
 * weights w_1 of the checkpoint, whatever d.
 */
class ShapesPretrainingTest {

    @Test
    void oneStepExportsTheTrainedWeightsAndALoadableSnapshot(@TempDir Path out) {
        PretrainConfig config = new PretrainConfig(1, 2, 1e-3, 0, 1e-2, 0.9, 0.1, 1.0, 0, 1, 1, 1);
        new ShapesPretraining(out, config, Device.cpu()).run((step, total, loss, lr) -> { });
        try (NDManager m = NDManager.newBaseManager();
             SafeTensorsFile trained = SafeTensorsFile.open(out.resolve(".pretrain-checkpoints/step-00000001/weights.safetensors"));
             SafeTensorsFile unet = SafeTensorsFile.open(out.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            int compared = 0;
            for (String key : unet.keys()) {
                TestData.assertClose(trained.load("unet." + key, m), unet.load(key, m), 1e-5, 1e-4, key);
                compared++;
            }
            assertTrue(compared > 100, "compared " + compared + " UNet tensors");
            DiffusionModel model = DiffusionModel.load(out, m);
            assertEquals(3, model.sampleShape().get(0));
            NDArray images = model.toImages(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 32, 32)));
            assertEquals(0.5f, images.mean().getFloat(), 1e-6f);
        }
    }

    /**
     * One step with d = 0.9, then resumed for a second with d = 0.5: the shadow is
     * 0.5 (0.9 w_0 + 0.1 w_1) + 0.5 w_2, w_0 weighs 0.45, and the export must be
     * (0.05 w_1 + 0.5 w_2) / 0.55, not what a single decay's 0.5^2 or 0.9^2 would give.
     */
    @Test
    void aResumeWithAnotherDecayRemovesTheInitialWeightsByTheProductOfTheDecays(@TempDir Path out) {
        new ShapesPretraining(out, new PretrainConfig(1, 2, 1e-3, 0, 1e-2, 0.9, 0.1, 1.0, 0, 1, 1, 1), Device.cpu())
                .run((step, total, loss, lr) -> { });
        new ShapesPretraining(out, new PretrainConfig(2, 2, 1e-3, 0, 1e-2, 0.5, 0.1, 1.0, 0, 1, 1, 1), Device.cpu())
                .run((step, total, loss, lr) -> { });
        Path checkpoints = out.resolve(".pretrain-checkpoints");
        try (NDManager m = NDManager.newBaseManager();
             SafeTensorsFile w1 = SafeTensorsFile.open(checkpoints.resolve("step-00000001/weights.safetensors"));
             SafeTensorsFile w2 = SafeTensorsFile.open(checkpoints.resolve("step-00000002/weights.safetensors"));
             SafeTensorsFile unet = SafeTensorsFile.open(out.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            double largestStep = 0;
            for (String key : unet.keys()) {
                NDArray first = w1.load("unet." + key, m);
                NDArray second = w2.load("unet." + key, m);
                NDArray expected = first.mul(0.05f / 0.55f).add(second.mul(0.5f / 0.55f));
                TestData.assertClose(expected, unet.load(key, m), 1e-5, 1e-4, key);
                largestStep = Math.max(largestStep, second.sub(first).abs().max().getFloat());
            }
            // the two steps moved the weights, so the mixture differs from either checkpoint
            assertTrue(largestStep > 1e-4, "the second step changed the weights by at most " + largestStep);
        }
    }
}
