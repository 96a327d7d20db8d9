package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * How the aesthetic critic's single output maps to the quality rating: {@code rating = 5.5 + 4.5 y},
 * so that y in [-1, 1] spans the rating's range [1, 10] and a freshly initialised network (y near 0)
 * starts at the middle of the scale instead of having to learn a large bias first. The same map is
 * used by the training loss and by the reward, so what is trained is exactly what is scored.
 */
public final class RatingHead {
    private RatingHead() {}

    /** The rating at output 0. */
    public static final float CENTRE = 5.5f;
    /** Rating units per unit of output. */
    public static final float SPREAD = 4.5f;

    /** (B, 1) network outputs to (B) ratings; keeps the graph. */
    public static NDArray rating(NDArray outputs) {
        long b = outputs.getShape().get(0);
        return Scalars.mul(outputs.reshape(b), SPREAD).add(CENTRE);
    }
}
