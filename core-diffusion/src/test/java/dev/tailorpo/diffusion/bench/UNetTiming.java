package dev.tailorpo.diffusion.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Wall-clock timing of the sd-tiny UNet (forward, forward + backward) for the report; not a
 * correctness test. Run with {@code -Dtailorpo.timing=true}; timings belong in benchmarks/.
 */
@EnabledIfSystemProperty(named = "tailorpo.timing", matches = "true")
class UNetTiming {

    @Test
    void time() {
        int batch = Integer.getInteger("tailorpo.timing.batch", 8);
        int iters = Integer.getInteger("tailorpo.timing.iters", 20);
        String mode = System.getProperty("tailorpo.timing.mode", "lora");
        try (NDManager model = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), model);
            if (mode.equals("lora")) {
                Lora.attach(unet, new LoraConfig(4, 4), model, 1);
            } else if (mode.equals("full")) {
                unet.setTrainable(true);
            }
            Engine.getInstance().setRandomSeed(1);
            for (String what : new String[] {"forward", "forward+backward"}) {
                long best = Long.MAX_VALUE;
                long total = 0;
                for (int i = 0; i < iters + 3; i++) {
                    try (NDManager step = model.newSubManager()) {
                        NDArray x = step.randomNormal(new Shape(batch, 4, 16, 16));
                        NDArray t = step.create(new float[batch]).add(500);
                        NDArray ctx = step.randomNormal(new Shape(batch, 77, 32));
                        long t0 = System.nanoTime();
                        if (what.equals("forward")) {
                            unet.forward(x, t, ctx).sum().getFloat();
                        } else {
                            x.setRequiresGradient(true);
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                gc.backward(unet.forward(x, t, ctx).square().mean());
                            }
                            x.getGradient().sum().getFloat();
                        }
                        long dt = System.nanoTime() - t0;
                        if (i >= 3) {
                            total += dt;
                            best = Math.min(best, dt);
                        }
                    }
                }
                if (System.getProperty("tailorpo.timing.profile") != null && what.equals("forward+backward")) {
                    try (NDManager step = model.newSubManager()) {
                        NDArray x = step.randomNormal(new Shape(batch, 4, 16, 16));
                        NDArray t = step.create(new float[batch]).add(500);
                        NDArray ctx = step.randomNormal(new Shape(batch, 77, 32));
                        x.setRequiresGradient(true);
                        ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(unet.forward(x, t, ctx).square().mean());
                        }
                        ai.djl.pytorch.jni.JniUtils.stopProfile(System.getProperty("tailorpo.timing.profile"));
                    }
                }
                System.out.printf("TIMING sd-tiny UNet %s (%s) batch %d 16x16: mean %.1f ms, best %.1f ms over %d%n",
                        what, mode, batch, total / 1e6 / iters, best / 1e6, iters);
            }
        }
    }
}
