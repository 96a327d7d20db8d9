package dev.tailorpo.api.trainer;

import java.util.List;

/**
 * Encoded prompts, ready for the denoiser (text embeddings for the conditional and unconditional
 * branches of classifier-free guidance). Opaque to methods: they only pass it back to the
 * {@link DiffusionPolicy} that made it. Row i of every tensor belongs to {@code prompts().get(i)}.
 */
public interface Conditioning {

    /** The prompts, one per batch row. */
    List<String> prompts();

    /** The conditioning of a subset of rows, in the given order (rows may repeat). */
    Conditioning select(int... rows);

    /** The rows of this followed by the rows of {@code other} (which the same policy made). */
    Conditioning concat(Conditioning other);

    /** The number of rows. */
    default int size() {
        return prompts().size();
    }
}
