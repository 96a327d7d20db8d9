package dev.tailorpo.baselines;

import dev.tailorpo.api.ConfigException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DDPO's per-prompt advantage normalisation, as {@code PerPromptStatTracker} in the public
 * ddpo-pytorch code (github.com/kvablack/ddpo-pytorch, {@code ddpo_pytorch/stat_tracking.py}):
 * every prompt keeps a buffer of its last {@code bufferSize} rewards across iterations; a batch's
 * rewards are first added to their prompts' buffers, then each is normalised as
 * (r - mean) / (std + 1e-6) with the mean and population standard deviation of its prompt's buffer,
 * or of the whole batch while that buffer holds fewer than {@code minCount} rewards.
 *
 * <p>The buffers are state across iterations; {@link #state} and {@link #restore} carry them
 * through checkpoints exactly (a float widened to double survives JSON unchanged).
 */
public final class PerPromptStatTracker {
    private static final double STD_EPS = 1e-6;

    private final int bufferSize;
    private final int minCount;
    private final Map<String, Deque<Float>> buffers = new LinkedHashMap<>();

    public PerPromptStatTracker(int bufferSize, int minCount) {
        if (bufferSize < 1 || minCount < 1) {
            throw new ConfigException("trainer 'ddpo': buffer_size and min_count must be >= 1, got " + bufferSize + ", "
                    + minCount);
        }
        this.bufferSize = bufferSize;
        this.minCount = minCount;
    }

    /** Adds the batch's rewards to their prompts' buffers and returns the advantages, one per reward. */
    public float[] update(List<String> prompts, float[] rewards) {
        if (prompts.size() != rewards.length) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + rewards.length + " rewards");
        }
        Map<String, List<Integer>> byPrompt = new LinkedHashMap<>();
        for (int i = 0; i < rewards.length; i++) {
            byPrompt.computeIfAbsent(prompts.get(i), k -> new ArrayList<>()).add(i);
        }
        List<Float> batch = new ArrayList<>();
        for (float r : rewards) {
            batch.add(r);
        }
        float[] advantages = new float[rewards.length];
        for (Map.Entry<String, List<Integer>> e : byPrompt.entrySet()) {
            Deque<Float> buffer = buffers.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>());
            for (int i : e.getValue()) {
                buffer.addLast(rewards[i]);
                while (buffer.size() > bufferSize) {
                    buffer.removeFirst();
                }
            }
            double[] stats = meanAndStd(buffer.size() < minCount ? batch : buffer);
            for (int i : e.getValue()) {
                advantages[i] = (float) ((rewards[i] - stats[0]) / (stats[1] + STD_EPS));
            }
        }
        return advantages;
    }

    /** The buffers as {@code {"buffers": {prompt: [reward, ...]}}}, oldest reward first. */
    public Map<String, Object> state() {
        Map<String, Object> out = new LinkedHashMap<>();
        buffers.forEach((prompt, buffer) -> out.put(prompt, buffer.stream().map(Float::doubleValue).toList()));
        return Map.of("buffers", out);
    }

    /** Replaces the buffers with those of {@link #state} (an empty map empties them). */
    public void restore(Map<String, ?> state) {
        buffers.clear();
        Object saved = state.containsKey("buffers") ? state.get("buffers") : Map.of();
        if (!(saved instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("DDPO tracker state: 'buffers' is not a map");
        }
        map.forEach((prompt, values) -> {
            Deque<Float> buffer = new ArrayDeque<>();
            for (Object v : (List<?>) values) {
                buffer.addLast(((Number) v).floatValue());
            }
            buffers.put((String) prompt, buffer);
        });
    }

    /** Mean and population standard deviation (numpy's default), in double. */
    private static double[] meanAndStd(Collection<Float> values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        double mean = sum / values.size();
        double sq = 0;
        for (float v : values) {
            sq += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(sq / values.size())};
    }
}
