package dev.tailorpo.diffusion.shapes;

/**
 * The quality rating of a render, the shapes world's analogue of the LAION aesthetic score and the
 * regression target of the {@code shapes-aesthetic} reward. It is computed from the render
 * parameters, never from pixels, so the target is exact and the same for every seed of the noise.
 *
 * <p>Five sub-scores in [0, 1], each 1 for a render without that defect and decreasing in it:
 * <pre>
 *   centred    c = 1 - min(1, (d / 0.6)^2)   d: distance of the shape's box centre from the canvas
 *                                              centre, as a fraction of the side (a corner is 0.71)
 *   unclipped  u = area inside the canvas / area of the shape   (see {@link CanvasOverlap})
 *   sharp      s = 1 - min(1, sigma / 2)     sigma: blur sigma in output pixels
 *   clean      n = 1 - min(1, std / 0.2)     std: pixel noise standard deviation
 *   contrasted k = 1 - min(1, fade / 0.8)    fade: weight of mid-grey in the final blend
 *
 *   rating = 1 + 9 * c * u^2 * s * n * k      in [1, 10]
 * </pre>
 * A product, so that any one severe defect spoils the image whatever the others (a sharp but half
 * clipped shape is not a good picture), and clipping enters squared because losing part of the
 * object is the worst defect; the centred score is quadratic so that a small offset costs little,
 * as in a photograph. Every sub-score, and so the rating, falls strictly as its defect grows (up
 * to its limit) while the others are not zero. docs/SHAPES.md gives the rating's distribution under
 * {@link RenderSampler}.
 */
public final class QualityRating {
    private QualityRating() {}

    /** The rating of a render of a {@code shape}, in [1, 10]. */
    public static double of(RenderParams params, ShapeKind shape) {
        return scores(params, shape).rating();
    }

    /** The sub-scores of a render of a {@code shape}. */
    public static QualityScores scores(RenderParams params, ShapeKind shape) {
        return new QualityScores(
                1 - Math.min(1, square(params.offCentre() / 0.6)),
                CanvasOverlap.insideFraction(shape, params),
                falling(params.blurSigma(), 2.0),
                falling(params.noiseStd(), 0.2),
                falling(params.fade(), 0.8));
    }

    /** The rating formula over sub-scores (the one place it is written). */
    static double combine(QualityScores s) {
        double u = s.unclipped();
        return 1 + 9 * s.centred() * u * u * s.sharp() * s.clean() * s.contrasted();
    }

    private static double square(double x) {
        return x * x;
    }

    /** 1 at 0, falling linearly to 0 at {@code limit} and staying there. */
    private static double falling(double defect, double limit) {
        return 1 - Math.min(1, defect / limit);
    }
}
