package dev.tailorpo.diffusion.shapes;

/**
 * The sub-scores of the quality rating, each in [0, 1] with 1 = no defect; see
 * {@link QualityRating} for how they are computed and combined.
 */
public record QualityScores(double centred, double unclipped, double sharp, double clean, double contrasted) {

    /** The rating in [1, 10]. */
    public double rating() {
        return QualityRating.combine(this);
    }
}
