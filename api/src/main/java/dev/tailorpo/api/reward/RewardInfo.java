package dev.tailorpo.api.reward;

import dev.tailorpo.api.InvalidInputException;

/**
 * What a reward model is: the facts trainers and reports need without knowing its implementation.
 *
 * @param id the provider id, e.g. {@code shapes-aesthetic}
 * @param displayName the name used in tables, e.g. {@code Aesthetic}
 * @param min the smallest score it can give ({@code Double.NEGATIVE_INFINITY} when unbounded)
 * @param max the largest score it can give ({@code Double.POSITIVE_INFINITY} when unbounded)
 * @param higherIsBetter whether larger scores mean more preferred
 * @param differentiable whether it implements {@link DifferentiableReward}
 * @param inputSize the image side it scores at (images of other sizes are resized inside the
 *     model, as part of its differentiable graph); 0 when any size is fine
 */
public record RewardInfo(String id, String displayName, double min, double max, boolean higherIsBetter,
                         boolean differentiable, int inputSize) {
    public RewardInfo {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("a reward needs an id");
        }
        if (!(min <= max)) {
            throw new InvalidInputException("reward '" + id + "': min " + min + " is not <= max " + max);
        }
        if (inputSize < 0) {
            throw new InvalidInputException("reward '" + id + "': inputSize must be >= 0, got " + inputSize);
        }
    }

    /** The score with its sign turned so that larger is always better. */
    public double preference(double score) {
        return higherIsBetter ? score : -score;
    }
}
