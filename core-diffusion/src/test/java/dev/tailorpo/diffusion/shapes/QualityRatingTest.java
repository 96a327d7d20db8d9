package dev.tailorpo.diffusion.shapes;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityRatingTest {

    /** A render with a bit of every defect, so that no factor of the product is 0 or 1. */
    private static final RenderParams MEDIOCRE = RenderParams.clean(0.35).withCentre(0.58, 0.46)
            .withBlur(0.5).withNoise(0.04).withFade(0.2);

    @Test
    void aCleanCentredRenderRatesTen() {
        for (ShapeKind k : ShapeKind.values()) {
            assertEquals(10, QualityRating.of(RenderParams.clean(0.6), k), 1e-12, k.word());
        }
    }

    @Test
    void moreBlurRatesLower() {
        assertFalling(MEDIOCRE::withBlur, 0, 1.9, ShapeKind.CIRCLE);
    }

    @Test
    void moreNoiseRatesLower() {
        assertFalling(MEDIOCRE::withNoise, 0, 0.19, ShapeKind.STAR);
    }

    @Test
    void moreFadeRatesLower() {
        assertFalling(MEDIOCRE::withFade, 0, 0.75, ShapeKind.TRIANGLE);
    }

    @Test
    void moreOffCentreRatesLower() {
        // a small shape moving right stays inside the canvas, so only the centred score changes
        for (ShapeKind k : ShapeKind.values()) {
            assertFalling(x -> MEDIOCRE.withCentre(x, 0.5), 0.5, 0.75, k);
            assertEquals(1, CanvasOverlap.insideFraction(k, MEDIOCRE.withCentre(0.75, 0.5)), k.word());
        }
    }

    @Test
    void moreClippingRatesLower() {
        // at a fixed centre near the edge, a bigger shape has more of its area outside
        for (ShapeKind k : ShapeKind.values()) {
            assertFalling(s -> MEDIOCRE.withCentre(0.85, 0.5).withScale(s), 0.45, 0.8, k);
        }
    }

    @Test
    void insideFractionMatchesClosedForms() {
        RenderParams square = RenderParams.clean(0.4);
        assertEquals(0.5, CanvasOverlap.insideFraction(ShapeKind.SQUARE, square.withCentre(1.0, 0.5)), 0.005);
        assertEquals(0.25, CanvasOverlap.insideFraction(ShapeKind.SQUARE, square.withCentre(0.0, 1.0)), 0.005);
        assertEquals(0.75, CanvasOverlap.insideFraction(ShapeKind.SQUARE, square.withCentre(0.1, 0.5)), 0.005);
        assertEquals(0.5, CanvasOverlap.insideFraction(ShapeKind.CIRCLE, square.withCentre(0.5, 0.0)), 0.005);
        assertEquals(0, CanvasOverlap.insideFraction(ShapeKind.CIRCLE, square.withCentre(2, 2)));
    }

    @Test
    void sampledRatingsLieInOneToTenAndSpanIt() {
        ShapesDataset data = new ShapesDataset(3);
        double min = 10;
        double max = 1;
        for (int i = 0; i < 4000; i++) {
            ShapesSample s = data.get(i);
            assertTrue(s.rating() >= 1 && s.rating() <= 10, "rating " + s.rating());
            QualityScores q = QualityRating.scores(s.params(), s.prompt().shape());
            for (double v : new double[] {q.centred(), q.unclipped(), q.sharp(), q.clean(), q.contrasted()}) {
                assertTrue(v >= 0 && v <= 1, q.toString());
            }
            min = Math.min(min, s.rating());
            max = Math.max(max, s.rating());
        }
        assertTrue(min < 1.5 && max > 9.9, "ratings span only " + min + " .. " + max);
    }

    /** The rating falls strictly over 12 steps of the varied quantity. */
    private static void assertFalling(DoubleFunction<RenderParams> vary, double from, double to, ShapeKind k) {
        double previous = Double.MAX_VALUE;
        for (int i = 0; i <= 12; i++) {
            double x = from + (to - from) * i / 12;
            double r = QualityRating.of(vary.apply(x), k);
            assertTrue(r >= 1 && r <= 10, "rating " + r);
            assertTrue(r < previous, k.word() + ": rating " + r + " at " + x + " is not below " + previous);
            previous = r;
        }
    }
}
