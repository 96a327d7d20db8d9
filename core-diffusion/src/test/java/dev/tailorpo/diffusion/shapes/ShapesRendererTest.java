package dev.tailorpo.diffusion.shapes;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesRendererTest {

    private static final int PLANE = ShapesRenderer.SIZE * ShapesRenderer.SIZE;

    @Test
    void sameSeedGivesIdenticalPixelsOnAnyThreadAndOtherSeedsDiffer() throws Exception {
        ShapePrompt p = ShapePrompt.parse("a large orange star on a navy background");
        for (long seed = 0; seed < 20; seed++) {
            long s = seed;
            float[] a = ShapesRenderer.render(p, RenderSampler.sample(p, s));
            float[] b = CompletableFuture.supplyAsync(() -> ShapesRenderer.render(p, RenderSampler.sample(p, s))).get();
            assertArrayEquals(a, b, "seed " + seed);
            assertEquals(RenderSampler.sample(p, s), RenderSampler.sample(p, s));
            assertFalse(Arrays.equals(a, ShapesRenderer.render(p, RenderSampler.sample(p, s + 1))), "seeds " + s + ", " + (s + 1));
        }
    }

    @Test
    void imagesAreChwInTheUnitRangeAndTheBufferedImageMatches() {
        ShapePrompt p = ShapePrompt.parse("a small green cross on a gray background");
        for (long seed = 0; seed < 50; seed++) {
            RenderParams params = RenderSampler.sample(p, seed);
            float[] chw = ShapesRenderer.render(p, params);
            assertEquals(ShapesRenderer.VALUES, chw.length);
            for (float v : chw) {
                assertTrue(v >= 0 && v <= 1, "value " + v);
            }
            BufferedImage img = ShapesRenderer.renderImage(p, params);
            assertEquals(32, img.getWidth());
            for (int i = 0; i < PLANE; i++) {
                int rgb = img.getRGB(i % 32, i / 32);
                assertEquals(Math.round(chw[i] * 255), (rgb >> 16) & 0xff);
                assertEquals(Math.round(chw[PLANE + i] * 255), (rgb >> 8) & 0xff);
                assertEquals(Math.round(chw[2 * PLANE + i] * 255), rgb & 0xff);
            }
        }
    }

    /** The supersampled coverage integrates to each outline's closed-form area. */
    @Test
    void coverageSumsToTheShapesArea() {
        double s = 0.5;
        double box = s * s * PLANE;
        double star = 5 * 0.5 * 0.5 * ShapeOutline.STAR_INNER_RATIO * Math.sin(Math.PI / 5);
        double arm = ShapeOutline.CROSS_ARM;
        Map<ShapeKind, Double> area = new EnumMap<>(ShapeKind.class);
        area.put(ShapeKind.CIRCLE, Math.PI / 4);
        area.put(ShapeKind.SQUARE, 1.0);
        area.put(ShapeKind.TRIANGLE, 0.5);
        area.put(ShapeKind.DIAMOND, 2 * ShapeOutline.DIAMOND_HALF_WIDTH * 0.5);
        area.put(ShapeKind.STAR, star);
        area.put(ShapeKind.CROSS, 2 * arm - arm * arm);
        for (ShapeKind k : ShapeKind.values()) {
            RenderParams params = RenderParams.clean(s).withCentre(0.51, 0.47).withRotation(0.2);
            double sum = 0;
            for (float a : ShapesRenderer.coverage(k, params)) {
                sum += a;
            }
            assertEquals(area.get(k) * box, sum, 0.01 * area.get(k) * box, k.word());
        }
    }

    /**
     * Whatever jitter, blur, fade and noise do, the shape's interior stays nearest its own nominal
     * colour. The interior is where the blurred coverage exceeds 0.95, i.e. where at most 5% of a
     * pixel comes from the background (a blurred thin arm has no such pixels and is skipped).
     */
    @Test
    void shapeInteriorIsNearestToThePromptedColour() {
        ShapesDataset data = new ShapesDataset(7);
        int checked = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            ShapesSample s = data.get(i);
            float[] alpha = ShapesRenderer.coverage(s.prompt().shape(), s.params());
            if (s.params().blurSigma() > 0) {
                ImageDefects.blur(alpha, ShapesRenderer.SIZE, s.params().blurSigma());
            }
            double[] mean = new double[3];
            int pixels = 0;
            for (int j = 0; j < PLANE; j++) {
                if (alpha[j] > 0.95f) {
                    pixels++;
                    for (int c = 0; c < 3; c++) {
                        mean[c] += s.image()[c * PLANE + j];
                    }
                }
            }
            if (pixels < 4) {
                continue;
            }
            Rgb m = new Rgb(mean[0] / pixels, mean[1] / pixels, mean[2] / pixels);
            Colour nearest = Arrays.stream(Colour.values())
                    .min(Comparator.comparingDouble(c -> c.rgb().distanceSquared(m))).orElseThrow();
            assertEquals(s.prompt().colour(), nearest, "sample " + i + " '" + s.prompt() + "' " + s.params() + " mean " + m);
            checked++;
        }
        assertTrue(checked > 0.9 * n, "only " + checked + " of " + n + " samples had a shape interior");
    }

    /** Per shape, every large render covers more than any small one (unclipped renders). */
    @Test
    void largeRendersCoverMoreThanSmallOnes() {
        for (ShapeKind k : ShapeKind.values()) {
            double maxSmall = 0;
            double minLarge = Double.MAX_VALUE;
            for (ShapeSize z : ShapeSize.values()) {
                ShapePrompt p = new ShapePrompt(z, Colour.RED, k, Background.BLACK);
                for (long seed = 0; seed < 300; seed++) {
                    RenderParams params = RenderSampler.sample(p, seed);
                    if (CanvasOverlap.insideFraction(k, params) < 1) {
                        continue;
                    }
                    double area = 0;
                    for (float a : ShapesRenderer.coverage(k, params)) {
                        area += a;
                    }
                    if (z == ShapeSize.SMALL) {
                        maxSmall = Math.max(maxSmall, area);
                    } else {
                        minLarge = Math.min(minLarge, area);
                    }
                }
            }
            assertTrue(minLarge > 1.5 * maxSmall, k.word() + ": smallest large " + minLarge + ", largest small " + maxSmall);
        }
    }
}
