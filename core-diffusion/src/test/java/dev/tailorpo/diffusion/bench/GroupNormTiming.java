package dev.tailorpo.diffusion.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.nn.F;
import dev.tailorpo.diffusion.nn.GroupNormReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/** Forward + backward time of the GroupNorm variants; run with {@code -Dtailorpo.timing=true}. */
@EnabledIfSystemProperty(named = "tailorpo.timing", matches = "true")
class GroupNormTiming {
    interface Gn {
        NDArray apply(NDArray x, int groups, NDArray w, NDArray b, float eps);
    }

    @Test
    void time() {
        Map<String, Gn> variants = new LinkedHashMap<>();
        variants.put("means", GroupNormReference::means);
        variants.put("batchNorm", GroupNormReference::batchNorm);
        variants.put("layerNorm", F::groupNorm);
        int iters = Integer.getInteger("tailorpo.timing.iters", 200);
        // sd-tiny at batch 8 (32 and 64 channels, 16x16 down to 2x2) and a shapes-world-like map
        for (Shape shape : new Shape[] {new Shape(8, 32, 16, 16), new Shape(8, 64, 4, 4), new Shape(8, 128, 32, 32)}) {
            for (int round = 0; round < 2; round++) {
                for (Map.Entry<String, Gn> v : variants.entrySet()) {
                    try (NDManager m = NDManager.newBaseManager()) {
                        NDArray w = m.ones(new Shape(shape.get(1)));
                        NDArray b = m.zeros(new Shape(shape.get(1)));
                        w.setRequiresGradient(true);
                        b.setRequiresGradient(true);
                        long total = 0;
                        long fwd = 0;
                        for (int i = 0; i < iters + 10; i++) {
                            try (NDManager step = m.newSubManager()) {
                                NDArray x = step.randomNormal(shape);
                                long t0 = System.nanoTime();
                                v.getValue().apply(x, 8, w, b, 1e-5f).getFloat(0, 0, 0, 0);
                                if (i >= 10) {
                                    fwd += System.nanoTime() - t0;
                                }
                            }
                        }
                        for (int i = 0; i < iters + 10; i++) {
                            try (NDManager step = m.newSubManager()) {
                                NDArray x = step.randomNormal(shape);
                                x.setRequiresGradient(true);
                                long t0 = System.nanoTime();
                                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                    gc.backward(v.getValue().apply(x, 8, w, b, 1e-5f).sum());
                                }
                                x.getGradient().getFloat(0, 0, 0, 0);
                                if (i >= 10) {
                                    total += System.nanoTime() - t0;
                                }
                            }
                        }
                        if (round == 1) {
                            System.out.printf("TIMING GroupNorm %-10s %s forward %.1f us, fwd+bwd %.1f us%n", v.getKey(), shape,
                                    fwd / 1e3 / iters, total / 1e3 / iters);
                        }
                    }
                }
            }
        }
    }
}
