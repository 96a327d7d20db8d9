package dev.tailorpo.api.reward;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A reward model: scores generated images against their prompts.
 *
 * <p>Images arrive as one float32 tensor {@code (B, 3, H, W)} with values in [0, 1], in RGB order,
 * on any device; {@code prompts} has B entries. A model resizes and normalises them itself.
 * Implementations must be safe to call from one thread at a time; they need not be thread-safe.
 */
public interface RewardModel extends AutoCloseable {

    /** What this model is. */
    RewardInfo info();

    /**
     * Scores a batch.
     *
     * @return B finite scores; a model that cannot score an image throws
     *     {@link dev.tailorpo.api.InvalidInputException} naming it rather than returning NaN
     */
    float[] score(NDArray images, List<String> prompts);

    /** Releases native resources. The default holds none. */
    @Override
    default void close() {}
}
