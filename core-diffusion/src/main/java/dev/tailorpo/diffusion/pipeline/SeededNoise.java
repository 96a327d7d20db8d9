package dev.tailorpo.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.random.KeyedRandom;

/**
 * Noise addressed per sample: row r of a batch draws from streams keyed by its own key (typically
 * the prompt's index and the image index), so a sample's initial noise and step noise do not
 * depend on which other samples share its batch. This is how every method and every evaluation
 * sees the same noise for the same (prompt, image index), the generator-per-sample convention of
 * diffusers pipelines.
 */
public final class SeededNoise implements StepNoise {
    private static final long INITIAL = -1;

    private final KeyedRandom random;
    private final long[][] rowKeys;

    /**
     * @param random the root streams (the run's or the evaluation's seed)
     * @param rowKeys one key per batch row, e.g. {@code {promptIndex, imageIndex}}
     */
    public SeededNoise(KeyedRandom random, long[][] rowKeys) {
        this.random = random;
        this.rowKeys = rowKeys.clone();
    }

    @Override
    public NDArray initial(Shape shape, NDManager manager) {
        return draw(shape, manager, INITIAL);
    }

    @Override
    public NDArray step(int stepIndex, Shape shape, NDManager manager) {
        return draw(shape, manager, stepIndex);
    }

    private NDArray draw(Shape shape, NDManager manager, long what) {
        if (shape.get(0) != rowKeys.length) {
            throw new InvalidInputException("noise for " + shape.get(0) + " rows requested, " + rowKeys.length + " row keys given");
        }
        Shape row = shape.slice(1);
        NDList rows = new NDList();
        for (long[] key : rowKeys) {
            long[] full = java.util.Arrays.copyOf(key, key.length + 1);
            full[key.length] = what;
            rows.add(random.normal(manager, row, full));
        }
        NDArray out = NDArrays.stack(rows, 0);
        rows.close();
        return out;
    }

}
