package dev.tailorpo.rewards.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.models.clip.ClipModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A CLIP reward that compares each image with its own prompt: the image embedding (differentiable)
 * against the text embedding of the prompt. Text embeddings are computed once per distinct prompt,
 * without a graph (prompts are never differentiated), and kept in Java memory, least recently used
 * dropped beyond {@value #MAX_CACHED_PROMPTS} prompts. A batch embeds each distinct prompt once and
 * picks every image's own column of the (images, prompts) similarity matrix.
 */
abstract class PromptSimilarityReward extends ClipBackedReward {
    static final int MAX_CACHED_PROMPTS = 10_000;

    private final Function<List<String>, int[][]> tokenize;
    private final int embedWidth;
    private final Map<String, float[]> textEmbeds = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > MAX_CACHED_PROMPTS;
        }
    };

    /**
     * @param tokenize the model's tokenizer: one row of ids per prompt, each as long as the text
     *     model's positions allow
     */
    PromptSimilarityReward(NDManager manager, ClipModel clip, RewardInfo info, UnaryOperator<NDArray> preprocess,
                           Function<List<String>, int[][]> tokenize) {
        super(manager, clip, info, preprocess);
        this.tokenize = tokenize;
        this.embedWidth = clip.config().projectionDim();
    }

    /**
     * The score of every image against every prompt, (B, U), from unnormalised image embeddings
     * (B, E) and text embeddings (U, E).
     */
    abstract NDArray similarity(NDArray imageEmbeds, NDArray textEmbeds);

    @Override
    final NDArray scoreOnModelDevice(NDArray images, List<String> prompts) {
        List<String> distinct = new ArrayList<>();
        Map<String, Integer> column = new LinkedHashMap<>();
        for (String p : prompts) {
            column.computeIfAbsent(p, k -> {
                distinct.add(k);
                return distinct.size() - 1;
            });
        }
        float[] text = textEmbeddings(distinct);
        int b = prompts.size();
        int u = distinct.size();
        float[] pick = new float[b * u];
        for (int i = 0; i < b; i++) {
            pick[i * u + column.get(prompts.get(i))] = 1f;
        }
        NDManager scope = images.getManager();
        NDArray textRows = scope.create(text, new Shape(u, embedWidth)).toDevice(images.getDevice(), false);
        NDArray mask = scope.create(pick, new Shape(b, u)).toDevice(images.getDevice(), false);
        return similarity(imageEmbeds(images), textRows).mul(mask).sum(new int[] {1});
    }

    /** The (unnormalised) text embeddings of {@code prompts}, row after row. */
    private float[] textEmbeddings(List<String> prompts) {
        List<String> missing = new ArrayList<>();
        for (String p : prompts) {
            if (!textEmbeds.containsKey(p)) {
                missing.add(p);
            }
        }
        Map<String, float[]> fresh = missing.isEmpty() ? Map.of() : embed(missing);
        float[] out = new float[prompts.size() * embedWidth];
        for (int i = 0; i < prompts.size(); i++) {
            float[] e = fresh.containsKey(prompts.get(i)) ? fresh.get(prompts.get(i)) : textEmbeds.get(prompts.get(i));
            System.arraycopy(e, 0, out, i * embedWidth, embedWidth);
        }
        textEmbeds.putAll(fresh);
        return out;
    }

    private Map<String, float[]> embed(List<String> prompts) {
        int[][] rows = tokenize.apply(prompts);
        int length = rows[0].length;
        long[] ids = new long[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < length; j++) {
                ids[i * length + j] = rows[i][j];
            }
        }
        float[] flat;
        try (NDManager scope = manager().newSubManager()) {
            flat = clip().textEmbeds(scope.create(ids, new Shape(rows.length, length))).toFloatArray();
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            float[] e = new float[embedWidth];
            System.arraycopy(flat, i * embedWidth, e, 0, embedWidth);
            out.put(prompts.get(i), e);
        }
        return out;
    }
}
