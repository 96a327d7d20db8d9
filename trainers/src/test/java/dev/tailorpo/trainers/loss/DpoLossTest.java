package dev.tailorpo.trainers.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.scheduler.Gaussian;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpoLossTest {

    private static double softplus(double z) {
        return Math.log1p(Math.exp(z));
    }

    @Test
    void lossIsMinusLogSigmoidOfTheScaledRatioGap() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pw = m.create(new float[] {-1.00f, -2.0f});
            NDArray rw = m.create(new float[] {-1.02f, -2.0f});
            NDArray pl = m.create(new float[] {-3.00f, -1.0f});
            NDArray rl = m.create(new float[] {-2.97f, -1.5f});
            float[] got = new DpoLoss(0.1, 0).perPair(pw, rw, pl, rl).toFloatArray();
            assertEquals(softplus(-0.1 * (0.02 - (-0.03))), got[0], 1e-6);
            assertEquals(softplus(-0.1 * (0.0 - 0.5)), got[1], 1e-6);
            // with the clamp, ratios are limited to [log 0.9, log 1.1]
            float[] clamped = new DpoLoss(0.1, 0.1).perPair(pw, rw, pl, rl).toFloatArray();
            assertEquals(softplus(-0.1 * (0.0 - Math.log(1.1))), clamped[1], 1e-6);
            assertEquals(got[0], clamped[0], 1e-7);
        }
    }

    /**
     * Two samples from one shared x_t: at theta = theta_ref the gradient of the loss with respect to
     * the Gaussian mean is -beta/2 * (x^w - x^l) / (sigma^2 n) (paper Eq. 11), so a descent step moves
     * the mean toward the preferred sample and away from the dispreferred one.
     */
    @Test
    void gradientPointsTheMeanAtThePreferredSample() {
        try (NDManager m = NDManager.newBaseManager()) {
            float sigma = 0.5f;
            NDArray mu = m.create(new float[] {0.1f, -0.2f, 0.3f, 0.0f}, new Shape(1, 4));
            mu.setRequiresGradient(true);
            NDArray muRef = m.create(new float[] {0.1f, -0.2f, 0.3f, 0.0f}, new Shape(1, 4));
            NDArray std = m.create(sigma);
            NDArray xw = m.create(new float[] {0.5f, 0.1f, 0.2f, -0.4f}, new Shape(1, 4));
            NDArray xl = m.create(new float[] {-0.3f, -0.6f, 0.9f, 0.2f}, new Shape(1, 4));
            double beta = 0.1;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Gaussian policy = new Gaussian(mu, std);
                Gaussian ref = new Gaussian(muRef, std);
                NDArray loss = new DpoLoss(beta, 0).mean(policy.logProb(xw), ref.logProb(xw),
                        policy.logProb(xl), ref.logProb(xl));
                assertEquals(Math.log(2), loss.getFloat(), 1e-6);
                gc.backward(loss);
            }
            float[] g = mu.getGradient().toFloatArray();
            float[] w = xw.toFloatArray();
            float[] l = xl.toFloatArray();
            for (int i = 0; i < 4; i++) {
                double expected = -beta / 2 * (w[i] - l[i]) / (sigma * sigma * 4);
                assertEquals(expected, g[i], 1e-7, "element " + i);
                assertTrue(-g[i] * (w[i] - l[i]) > 0, "descent moves toward x^w - x^l");
            }
        }
    }

    @Test
    void clampStopsTheGradientOutsideTheBand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pw = m.create(new float[] {0.5f});     // ratio exp(0.5) > 1.1: outside
            NDArray pl = m.create(new float[] {0.05f});    // ratio exp(0.05) inside
            pw.setRequiresGradient(true);
            pl.setRequiresGradient(true);
            NDArray zero = m.create(new float[] {0f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new DpoLoss(0.1, 0.1).mean(pw, zero, pl, zero));
            }
            assertEquals(0f, pw.getGradient().getFloat(), 0f);
            double z = 0.1 * (Math.log(1.1) - 0.05);
            double sig = 1 / (1 + Math.exp(z));             // sigmoid(-z)
            assertEquals(0.1 * sig, pl.getGradient().getFloat(), 1e-6);
        }
    }
}
