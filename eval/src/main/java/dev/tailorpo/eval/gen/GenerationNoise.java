package dev.tailorpo.eval.gen;

import dev.tailorpo.diffusion.pipeline.SeededNoise;
import dev.tailorpo.diffusion.pipeline.StepNoise;
import dev.tailorpo.diffusion.random.KeyedRandom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The fixed noise of evaluation and generation. Image j of prompt p under seed s starts from
 * x_T drawn from the stream keyed (s, generation, hash(p), j, -1) and takes the noise of its
 * stochastic step i from (s, generation, hash(p), j, i) ({@link SeededNoise}). So every model,
 * LoRA checkpoint and method sees the same noise for the same (prompt, image index), whatever the
 * batch size, the other prompts in the batch, the order or subset of the prompt list, or the
 * process: differences between their images come from the weights alone.
 *
 * <p>The prompt enters through its text (the first 8 bytes of the SHA-256 of its UTF-8 form, taken
 * as it is: prompt files are trimmed when read), not its position in a file, so the first K prompts
 * of a set get the same images as in the whole set. A constant domain key keeps these streams
 * apart from a training run's streams with the same seed.
 */
public final class GenerationNoise {
    /** The key under the root seed that separates generation from training draws ("generate" in ASCII). */
    public static final long DOMAIN = 0x67656E6572617465L;

    private final long seed;
    private final KeyedRandom root;

    public GenerationNoise(long seed) {
        this.seed = seed;
        this.root = new KeyedRandom(seed).child(DOMAIN);
    }

    /** The seed given. */
    public long seed() {
        return seed;
    }

    /** The noise source of a batch whose row r is {@code keys.get(r)}. */
    public StepNoise forBatch(List<ImageKey> keys) {
        long[][] rows = new long[keys.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = rowKey(keys.get(r));
        }
        return new SeededNoise(root, rows);
    }

    /** The key of one image's streams under the generation root: (hash of the prompt, image index). */
    public static long[] rowKey(ImageKey key) {
        return new long[] {promptKey(key.prompt()), key.imageIndex()};
    }

    /** A prompt's 64-bit key: the first 8 bytes (big-endian) of the SHA-256 of its UTF-8 text. */
    public static long promptKey(String prompt) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        return v;
    }
}
