package dev.tailorpo.diffusion.shapes;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenderSamplerTest {

    @Test
    void parametersStayInTheirDocumentedRanges() {
        for (ShapePrompt p : ShapesPrompts.all()) {
            for (long seed = 0; seed < 20; seed++) {
                RenderParams r = RenderSampler.sample(p, seed * 7919 + p.hashCode());
                assertTrue(r.scale() >= p.size().minScale() && r.scale() <= p.size().maxScale(), r.toString());
                assertTrue(Math.abs(Math.toDegrees(r.rotation())) <= RenderSampler.MAX_ROTATION_DEGREES, r.toString());
                assertTrue(r.centreX() >= 0 && r.centreX() <= 1 && r.centreY() >= 0 && r.centreY() <= 1, r.toString());
                assertTrue(r.blurSigma() == 0 || r.blurSigma() >= RenderSampler.MIN_BLUR && r.blurSigma() <= RenderSampler.MAX_BLUR);
                assertTrue(r.noiseStd() == 0 || r.noiseStd() >= RenderSampler.MIN_NOISE && r.noiseStd() <= RenderSampler.MAX_NOISE);
                assertTrue(r.fade() == 0 || r.fade() >= RenderSampler.MIN_FADE && r.fade() <= RenderSampler.MAX_FADE);
                for (int c = 0; c < 3; c++) {
                    assertTrue(Math.abs(r.colourJitter().channel(c)) <= RenderSampler.COLOUR_JITTER);
                    assertTrue(Math.abs(r.backgroundJitter().channel(c)) <= RenderSampler.BACKGROUND_JITTER);
                }
            }
        }
    }

    /** Many renders are clean, many carry one or more defects: the fractions follow the coins. */
    @Test
    void defectsVaryWidely() {
        ShapesDataset data = new ShapesDataset(11);
        int n = 4000;
        int blurred = 0;
        int noisy = 0;
        int faded = 0;
        int clipped = 0;
        int flawless = 0;
        for (int i = 0; i < n; i++) {
            ShapesSample s = data.get(i);
            RenderParams r = s.params();
            boolean clip = CanvasOverlap.insideFraction(s.prompt().shape(), r) < 0.995;
            blurred += r.blurSigma() > 0 ? 1 : 0;
            noisy += r.noiseStd() > 0 ? 1 : 0;
            faded += r.fade() > 0 ? 1 : 0;
            clipped += clip ? 1 : 0;
            flawless += r.blurSigma() == 0 && r.noiseStd() == 0 && r.fade() == 0 && !clip ? 1 : 0;
        }
        assertEquals(RenderSampler.P_BLUR, (double) blurred / n, 0.03);
        assertEquals(RenderSampler.P_NOISE, (double) noisy / n, 0.03);
        assertEquals(RenderSampler.P_FADE, (double) faded / n, 0.03);
        assertTrue(clipped > 0.15 * n && clipped < 0.35 * n, "clipped " + clipped);
        // (1 - 0.35)^3 of the unclipped renders have no pixel defect
        assertTrue(flawless > 0.15 * n, "flawless " + flawless);
    }
}
