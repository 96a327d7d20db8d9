package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PickScore's definition of text-image similarity: {@code exp(logit_scale) * cos(image, text)} of
 * the CLIP image embedding of each image (preprocessed differentiably, as {@link LaionAesthetic})
 * and the text embedding of its own prompt, i.e. the diagonal of CLIPModel's
 * {@code logits_per_image}. With PickScore_v1's weights it is PickScore; with an OpenAI CLIP it is
 * 100 cos, the CLIP similarity many papers report (Hessel et al.'s CLIPScore would be
 * 2.5 max(cos, 0) instead). Higher is better; the range is +-exp(logit_scale).
 *
 * <p>Text embeddings are computed once per distinct prompt, without a graph (the prompt is not
 * differentiated), and kept in Java memory (least recently used dropped beyond
 * {@value #MAX_CACHED_PROMPTS} prompts).
 */
public final class ClipScore extends ClipBackedReward {
    public static final String ID = "clip-score";
    static final int MAX_CACHED_PROMPTS = 10_000;

    private final ClipTokenizer tokenizer;
    private final int embedWidth;
    private final Map<String, float[]> textEmbeds = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > MAX_CACHED_PROMPTS;
        }
    };

    private ClipScore(NDManager manager, ClipModel clip, ClipTokenizer tokenizer, double logitScale) {
        super(manager, clip, new RewardInfo(ID, "CLIP score", -Math.exp(logitScale), Math.exp(logitScale), true, true,
                clip.imageProcessor().size()));
        this.tokenizer = tokenizer;
        this.embedWidth = clip.config().projectionDim();
    }

    /**
     * Loads the CLIP snapshot folder {@code clipDir} and the tokenizer in {@code tokenizerDir} onto
     * {@code device}.
     *
     * @throws ModelFormatException when a file is missing or corrupt, or the tokenizer's rows are
     *     longer than the text model's positions
     */
    public static ClipScore load(Path clipDir, Path tokenizerDir, Device device) {
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        ClipConfig config = ClipSnapshot.readConfig(clipDir);
        int positions = config.text().maxPositionEmbeddings();
        if (tokenizer.maxLength() > positions) {
            throw new ModelFormatException("the tokenizer in " + tokenizerDir + " makes rows of " + tokenizer.maxLength()
                    + " tokens, but the text model in " + clipDir + " has " + positions + " positions (max_position_embeddings)");
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ClipModel clip = ClipSnapshot.loadModel(clipDir, config, manager);
            double logitScale = clip.namedParameters().get("logit_scale").array().getFloat();
            return new ClipScore(manager, clip, tokenizer, logitScale);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    NDArray scoreOnModelDevice(NDArray images, List<String> prompts) {
        // one text row per distinct prompt; a one-hot mask picks each image's own column
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
        NDArray logits = clip().similarityLogits(imageEmbeds(images), textRows);   // (B, U)
        return logits.mul(mask).sum(new int[] {1});
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
        int[][] rows = tokenizer.encodeBatch(prompts);
        int length = tokenizer.maxLength();
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

    /** The tokenizer of the prompts. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }
}
