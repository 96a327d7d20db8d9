package dev.tailorpo.eval.gen;

import dev.tailorpo.api.InvalidInputException;

/**
 * Which image: image {@code imageIndex} of {@code prompt}, the prompt being number
 * {@code promptIndex} of its list. The noise an image is sampled from depends on the prompt's text
 * and the image index only (see {@link GenerationNoise}); the prompt index serves file names,
 * grids and tables.
 */
public record ImageKey(int promptIndex, String prompt, int imageIndex) {
    public ImageKey {
        if (promptIndex < 0 || imageIndex < 0) {
            throw new InvalidInputException("prompt and image indices must be >= 0, got " + promptIndex + ", " + imageIndex);
        }
        if (prompt == null) {
            throw new InvalidInputException("an image needs a prompt (it may be empty, not null)");
        }
    }
}
