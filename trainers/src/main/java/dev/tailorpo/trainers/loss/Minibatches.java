package dev.tailorpo.trainers.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.trainer.Conditioning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Batching stored samples for a loss: the policy is evaluated at one step index per call, so the
 * samples of a minibatch are grouped by step index and each group's tensors are stacked into one
 * batch.
 */
public final class Minibatches {
    private Minibatches() {}

    /** The samples grouped by step index, groups in order of first appearance. */
    public static <T> Map<Integer, List<T>> byStep(List<T> samples, ToIntFunction<T> stepIndex) {
        Map<Integer, List<T>> out = new LinkedHashMap<>();
        samples.forEach(s -> out.computeIfAbsent(stepIndex.applyAsInt(s), k -> new ArrayList<>()).add(s));
        return out;
    }

    /**
     * One part of every sample stacked along the batch axis into a new array owned by
     * {@code scratch}, so that later ops land there too (the stored samples are not moved).
     */
    public static <T> NDArray stack(NDManager scratch, List<T> samples, Function<T, NDArray> part) {
        NDList list = new NDList();
        samples.forEach(s -> list.add(part.apply(s)));
        NDArray out = NDArrays.concat(list, 0);
        out.attach(scratch);
        return out;
    }

    /** The samples' conditionings concatenated in order (as a balanced tree: O(n log n) rows copied, not O(n^2)). */
    public static <T> Conditioning conditions(List<T> samples, Function<T, Conditioning> part) {
        if (samples.size() == 1) {
            return part.apply(samples.get(0));
        }
        int mid = samples.size() / 2;
        return conditions(samples.subList(0, mid), part).concat(conditions(samples.subList(mid, samples.size()), part));
    }
}
