package dev.tailorpo.trainers.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PpoClipLossTest {

    @Test
    void clippedSurrogateMatchesItsDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = m.create(new float[] {0.0f, 0.2f, -0.2f});
            NDArray old = m.create(new float[] {0.0f, 0.0f, 0.0f});
            NDArray adv = m.create(new float[] {7.0f, 1.0f, -2.0f});   // 7 is clipped to 5
            double loss = new PpoClipLoss(0.1, 5).mean(logp, old, adv).getFloat();
            double r1 = Math.exp(0.2);
            double r2 = Math.exp(-0.2);
            double l0 = -5.0;                                           // ratio 1
            double l1 = Math.max(-1 * r1, -1 * Math.min(r1, 1.1));
            double l2 = Math.max(2 * r2, 2 * Math.max(r2, 0.9));
            assertEquals((l0 + l1 + l2) / 3, loss, 1e-6);
        }
    }

    @Test
    void noGradientOnceTheRatioLeavesTheTrustRegionInTheAdvantagesDirection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = m.create(new float[] {0.5f, 0.01f});
            logp.setRequiresGradient(true);
            NDArray old = m.create(new float[] {0f, 0f});
            NDArray adv = m.create(new float[] {1f, 1f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new PpoClipLoss(0.1, 5).mean(logp, old, adv));
            }
            float[] g = logp.getGradient().toFloatArray();
            assertEquals(0f, g[0], 0f);                                 // ratio 1.65 > 1.1, positive advantage
            assertEquals(-Math.exp(0.01) / 2, g[1], 1e-6);              // inside: d(-A r)/dlogp = -A r, mean over 2
        }
    }
}
