package dev.tailorpo.diffusion.shapes;

import java.awt.geom.Rectangle2D;
import java.util.SplittableRandom;

/**
 * Draws the {@link RenderParams} of a render from a seed. The ranges are wide on purpose: the base
 * model learns the distribution of these renders, and preference fine-tuning needs many mediocre
 * and bad samples to improve on, as well as good ones to aim at. docs/SHAPES.md lists the ranges
 * and the resulting rating distribution.
 *
 * <p>Every call consumes the same number of draws in the same order, whatever the coins say, so
 * that changing one probability does not reshuffle the other variations of every seed.
 */
public final class RenderSampler {
    private RenderSampler() {}

    /** Rotation is kept within +-20 degrees: a square turned 45 degrees would read as a diamond. */
    public static final double MAX_ROTATION_DEGREES = 20;
    /** Per-channel colour jitter half-range: small enough that the colour stays nameable. */
    public static final double COLOUR_JITTER = 0.06;
    public static final double BACKGROUND_JITTER = 0.04;

    /** Placement modes: centred (within {@link #CENTRED_RADIUS}), anywhere fully inside, or clipped. */
    public static final double P_CENTRED = 0.45;
    public static final double P_INSIDE = 0.35;
    public static final double CENTRED_RADIUS = 0.04;

    public static final double P_BLUR = 0.35;
    public static final double MIN_BLUR = 0.3;
    public static final double MAX_BLUR = 1.6;
    public static final double P_NOISE = 0.35;
    public static final double MIN_NOISE = 0.02;
    public static final double MAX_NOISE = 0.12;
    public static final double P_FADE = 0.35;
    public static final double MIN_FADE = 0.1;
    public static final double MAX_FADE = 0.5;

    /**
     * The parameters of render {@code seed} of {@code prompt}. Only the prompt's size and shape
     * matter (for the scale range and the extent used to place it).
     */
    public static RenderParams sample(ShapePrompt prompt, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ShapeSize size = prompt.size();
        double scale = uniform(r, size.minScale(), size.maxScale());
        double rotation = Math.toRadians(uniform(r, -MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES));
        Rgb colourJitter = jitter(r, COLOUR_JITTER);
        Rgb backgroundJitter = jitter(r, BACKGROUND_JITTER);

        // the shape's box extent around its centre, in fractions of the side, once scaled and rotated
        Rectangle2D ext = ShapeOutline.placed(prompt.shape(), RenderParams.clean(scale).withCentre(0, 0)
                .withRotation(rotation), 1).getBounds2D();
        double mode = r.nextDouble();
        double a = r.nextDouble();
        double b = r.nextDouble();
        int edge = r.nextInt(4);
        double cx;
        double cy;
        if (mode < P_CENTRED) {
            double radius = CENTRED_RADIUS * Math.sqrt(a); // uniform over the disc
            double angle = 2 * Math.PI * b;
            cx = 0.5 + radius * Math.cos(angle);
            cy = 0.5 + radius * Math.sin(angle);
        } else if (mode < P_CENTRED + P_INSIDE) {
            cx = inside(a, ext.getMinX(), ext.getMaxX());
            cy = inside(b, ext.getMinY(), ext.getMaxY());
        } else {
            // the centre lies between an edge (about half the shape out) and where the shape just
            // touches that edge from inside
            switch (edge) {
                case 0 -> { cx = -a * ext.getMinX(); cy = inside(b, ext.getMinY(), ext.getMaxY()); }
                case 1 -> { cx = 1 - a * ext.getMaxX(); cy = inside(b, ext.getMinY(), ext.getMaxY()); }
                case 2 -> { cy = -a * ext.getMinY(); cx = inside(b, ext.getMinX(), ext.getMaxX()); }
                default -> { cy = 1 - a * ext.getMaxY(); cx = inside(b, ext.getMinX(), ext.getMaxX()); }
            }
        }
        double blur = defect(r, P_BLUR, MIN_BLUR, MAX_BLUR);
        double noise = defect(r, P_NOISE, MIN_NOISE, MAX_NOISE);
        double fade = defect(r, P_FADE, MIN_FADE, MAX_FADE);
        long noiseSeed = r.nextLong();
        return new RenderParams(cx, cy, scale, rotation, colourJitter, backgroundJitter, blur, noise, fade, noiseSeed);
    }

    /** A defect's magnitude: 0 unless its coin comes up, else uniform in [min, max]. */
    private static double defect(SplittableRandom r, double p, double min, double max) {
        boolean present = r.nextDouble() < p;
        double magnitude = uniform(r, min, max);
        return present ? magnitude : 0;
    }

    /** A position where an extent [min, max] around it stays inside [0, 1] (the middle if none does). */
    private static double inside(double u, double min, double max) {
        double lo = -min;
        double hi = 1 - max;
        return hi <= lo ? 0.5 : lo + u * (hi - lo);
    }

    private static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + r.nextDouble() * (hi - lo);
    }

    private static Rgb jitter(SplittableRandom r, double halfRange) {
        return new Rgb(uniform(r, -halfRange, halfRange), uniform(r, -halfRange, halfRange),
                uniform(r, -halfRange, halfRange));
    }
}
