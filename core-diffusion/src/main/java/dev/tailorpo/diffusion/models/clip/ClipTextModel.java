package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.LayerNormLayer;
import dev.tailorpo.diffusion.nn.Module;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * transformers' {@code CLIPTextModel} (the text transformer of CLIP; SD's text encoder): token and
 * position embeddings, pre-LN encoder layers under a causal mask, a final LayerNorm. Parameter paths
 * are those of transformers 5 ({@code embeddings.}, {@code encoder.layers.N.},
 * {@code final_layer_norm.}); the {@code text_model.} prefix of older snapshots is detected on load.
 *
 * <p>Parameters start frozen: the text encoder is a fixed conditioning model in preference
 * training; call {@link #setTrainable} to fine-tune it.
 */
public final class ClipTextModel extends Module {
    /** The prefix of real SD 1.5 snapshots and of the text tower inside a CLIPModel. */
    public static final String PREFIX = "text_model.";

    private final ClipTextConfig config;
    private final ClipTextEmbeddings embeddings;
    private final ClipEncoder encoder;
    private final LayerNormLayer finalLayerNorm;

    /** The tower's output. */
    public record Output(NDArray lastHiddenState, NDArray pooledOutput) {}

    /** Declares the parameters (no memory is allocated until {@link #initialize} or a load). */
    public ClipTextModel(ClipTextConfig config) {
        this.config = config;
        float eps = (float) config.layerNormEps();
        this.embeddings = child("embeddings", new ClipTextEmbeddings(
                config.vocabSize(), config.maxPositionEmbeddings(), config.hiddenSize()));
        this.encoder = child("encoder", new ClipEncoder(config.numHiddenLayers(), config.hiddenSize(),
                config.numAttentionHeads(), config.intermediateSize(), config.hiddenAct(), eps));
        this.finalLayerNorm = child("final_layer_norm", new LayerNormLayer(config.hiddenSize(), eps));
    }

    public ClipTextConfig config() {
        return config;
    }

    /**
     * Reads {@code dir/config.json} and {@code dir/model.safetensors} (either key layout).
     *
     * @throws dev.tailorpo.api.ModelFormatException naming the missing file or the keys that do not fit
     */
    public static ClipTextModel load(Path dir, NDManager manager) {
        return load(dir, ClipWeights.DEFAULT_FILE, manager);
    }

    /** As {@link #load(Path, NDManager)} with another weights file in {@code dir}. */
    public static ClipTextModel load(Path dir, String weightsFile, NDManager manager) {
        ClipTextModel model = new ClipTextModel(ClipTextConfig.read(dir.resolve("config.json")));
        try (TensorSource source = ClipFiles.openWeights(dir.resolve(weightsFile))) {
            model.loadWeights(source, manager);
        }
        return model;
    }

    /**
     * Loads this tower's weights from {@code source}, with or without the {@code text_model.}
     * prefix (so the text tower of a whole CLIPModel file loads too).
     */
    public void loadWeights(TensorSource source, NDManager manager) {
        String prefix = ClipWeights.detectPrefix(source, PREFIX);
        ClipWeights.load(this, source, prefix, ClipWeights.TEXT_BUFFERS, manager);
    }

    /**
     * Encodes token ids.
     *
     * @param inputIds (B, N) token ids, N at most {@code max_position_embeddings}; int64, or float
     *     holding integers (converted; ids are never differentiated)
     * @return the last hidden state (B, N, D) and the pooled output (B, D): the final hidden state
     *     at the end-of-text position
     */
    public Output forward(NDArray inputIds) {
        Shape s = inputIds.getShape();
        if (s.dimension() != 2 || s.get(1) < 1 || s.get(1) > config.maxPositionEmbeddings()) {
            throw new InvalidInputException("CLIP text input_ids must be (batch, length <= "
                    + config.maxPositionEmbeddings() + "), got " + s);
        }
        int b = (int) s.get(0);
        int n = (int) s.get(1);
        NDArray ids = ClipTensors.asIds(inputIds);
        long[] hostIds = ids.toLongArray();
        checkVocabulary(hostIds);
        NDArray x = embeddings.forward(ids);
        NDArray h = finalLayerNorm.forward(encoder.forward(x, causalMask(x, n)));
        return new Output(h, gatherRows(h, eosPositions(hostIds, b, n, config.eosTokenId())));
    }

    /**
     * The position pooled for each sequence, exactly as transformers chooses it: for configs with
     * the legacy {@code eos_token_id == 2} (OpenAI's, and SD 1.5's) the first position of the
     * largest id, since the end-of-text token is the largest id in CLIP's vocabulary; otherwise the
     * first position holding {@code eos_token_id}, or 0 when there is none (torch's argmax of an
     * all-false row).
     */
    static int[] eosPositions(long[] ids, int batch, int length, int eosTokenId) {
        int[] out = new int[batch];
        for (int i = 0; i < batch; i++) {
            int at = 0;
            for (int j = 0; j < length; j++) {
                long id = ids[i * length + j];
                if (eosTokenId == 2 ? id > ids[i * length + at] : id == eosTokenId) {
                    at = j;
                    if (eosTokenId != 2) {
                        break;
                    }
                }
            }
            out[i] = at;
        }
        return out;
    }

    /** (1, 1, N, N): 0 where a token may attend (itself and earlier ones), the float minimum after. */
    private static NDArray causalMask(NDArray like, int n) {
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                mask[i * n + j] = -Float.MAX_VALUE;  // transformers' finfo.min: exp underflows to 0
            }
        }
        return like.getManager().create(mask, new Shape(1, 1, n, n)).toDevice(like.getDevice(), false);
    }

    /** Row {@code positions[b]} of each (N, D) slice of {@code h}: (B, D), inside the graph. */
    private static NDArray gatherRows(NDArray h, int[] positions) {
        long b = h.getShape().get(0);
        long d = h.getShape().get(2);
        long[] index = new long[(int) (b * d)];
        for (int i = 0; i < b; i++) {
            Arrays.fill(index, (int) (i * d), (int) ((i + 1) * d), positions[i]);
        }
        NDArray idx = h.getManager().create(index, new Shape(b, 1, d)).toDevice(h.getDevice(), false);
        return h.gather(idx, 1).reshape(b, d);
    }

    private void checkVocabulary(long[] ids) {
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InvalidInputException("token id " + id + " is outside the CLIP vocabulary of "
                        + config.vocabSize() + " ids");
            }
        }
    }
}
