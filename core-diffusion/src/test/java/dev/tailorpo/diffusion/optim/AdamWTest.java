package dev.tailorpo.diffusion.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Param;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {

    /** PyTorch's AdamW for one scalar, in double precision: the oracle. */
    private static final class ScalarAdamW {
        double p, m, v;
        int t;
        final AdamWConfig c;

        ScalarAdamW(double p, AdamWConfig c) {
            this.p = p;
            this.c = c;
        }

        void step(double g) {
            t++;
            p *= 1 - c.lr() * c.weightDecay();
            m = c.beta1() * m + (1 - c.beta1()) * g;
            v = c.beta2() * v + (1 - c.beta2()) * g * g;
            double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(c.beta2(), t)) + c.eps();
            p -= c.lr() / (1 - Math.pow(c.beta1(), t)) * m / denom;
        }
    }

    /** Loss = sum(w * k) for fixed k, so the gradient of w is k. */
    private static void backwardLinearLoss(Param w, float[] k) {
        try (NDManager s = NDManager.newBaseManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray kk = s.create(k, w.shape());
            gc.backward(w.array().mul(kk).sum());
        }
    }

    @Test
    void matchesPyTorchsUpdateAndZeroesGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearLayer layer = new LinearLayer(3, 2, false);
            layer.initialize(m, 1);
            layer.setTrainable(true);
            Param w = layer.weight();
            AdamWConfig cfg = new AdamWConfig(1e-2, 0.9, 0.999, 1e-8, 1e-2);
            AdamW opt = new AdamW(Map.of("w", w), cfg, m);
            float[] start = w.array().toFloatArray();
            ScalarAdamW[] oracle = new ScalarAdamW[start.length];
            for (int i = 0; i < start.length; i++) {
                oracle[i] = new ScalarAdamW(start[i], cfg);
            }
            float[][] grads = {{1, -2, 3, 0.5f, -0.1f, 0}, {0.3f, 0.3f, -1, 2, 0, 1e-3f}, {-1, 1, -1, 1, -1, 1}};
            for (float[] g : grads) {
                backwardLinearLoss(w, g);
                opt.step();
                for (int i = 0; i < g.length; i++) {
                    oracle[i].step(g[i]);
                }
                try (NDManager s = m.newSubManager()) {
                    assertArrayEquals(new float[6], Gradients.of(w.array(), s).toFloatArray(), "gradient zeroed");
                }
            }
            float[] got = w.array().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(oracle[i].p, got[i], 2e-6, "weight " + i);
            }
        }
    }

    @Test
    void restoredStateContinuesExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearLayer a = new LinearLayer(2, 2, false);
            LinearLayer b = new LinearLayer(2, 2, false);
            a.initialize(m, 3);
            b.initialize(m, 3);
            a.setTrainable(true);
            b.setTrainable(true);
            AdamWConfig cfg = AdamWConfig.paper(1e-3);
            AdamW oa = new AdamW(Map.of("w", a.weight()), cfg, m);
            float[] g1 = {1, 2, 3, 4};
            float[] g2 = {-1, 0.5f, 2, -3};
            backwardLinearLoss(a.weight(), g1);
            oa.step();
            // b takes a's weights and optimizer state after one step, then both take step 2
            b.loadStateDict(Map.of("weight", a.weight().array().duplicate()));
            b.setTrainable(true);
            AdamW ob = new AdamW(Map.of("w", b.weight()), cfg, m);
            ob.load(oa.state(), oa.stepCount());
            backwardLinearLoss(a.weight(), g2);
            backwardLinearLoss(b.weight(), g2);
            oa.step();
            ob.step();
            assertArrayEquals(a.weight().array().toFloatArray(), b.weight().array().toFloatArray());
            assertEquals(2, ob.stepCount());
        }
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearLayer a = new LinearLayer(2, 1, false);
            a.initialize(m, 3);
            a.setTrainable(true);
            backwardLinearLoss(a.weight(), new float[] {3, 4});
            try (NDManager s = m.newSubManager()) {
                double norm = Gradients.clipGlobalNorm(a.namedParameters().values(), 1.0, s);
                assertEquals(5.0, norm, 1e-6);
                float[] g = Gradients.of(a.weight().array(), s).toFloatArray();
                assertEquals(3 / (5 + 1e-6), g[0], 1e-6);
                assertEquals(4 / (5 + 1e-6), g[1], 1e-6);
            }
        }
    }
}
