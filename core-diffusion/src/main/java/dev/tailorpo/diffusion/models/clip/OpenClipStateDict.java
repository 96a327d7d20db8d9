package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.io.TensorSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open_clip CLIP state dict seen under transformers' {@code CLIPModel} names, so that
 * {@link ClipModel#loadWeights} loads it as is (the mapping of transformers'
 * {@code convert_clip_original_pytorch_to_hf.py}). Renames are one to one, except that:
 * <ul>
 *   <li>each attention's packed {@code attn.in_proj_weight} / {@code in_proj_bias} (rows q, k, v)
 *       becomes {@code self_attn.{q,k,v}_proj}, three row slices of one loaded tensor;</li>
 *   <li>{@code visual.proj} and {@code text_projection}, stored as {@code x @ W} matrices
 *       (in, out), become the transposed Linear weights {@code visual_projection.weight} and
 *       {@code text_projection.weight}.</li>
 * </ul>
 * Keys that match no rule keep their open_clip name, so a strict load reports them as unexpected.
 * The state dict may sit under {@code state_dict.} (a {@code torch.save({'state_dict': ...})}
 * file such as HPSv2's, flattened) and under {@code module.} (saved from a DataParallel model);
 * both are found and stripped. Tensors load as float32 whatever their stored type (HPSv2's are
 * float16).
 */
public final class OpenClipStateDict implements TensorSource {
    private static final Pattern BLOCK = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.(.+)");

    /** How a target tensor is made from its source tensor. */
    private enum Transform { IDENTITY, TRANSPOSE, ROWS_0_OF_3, ROWS_1_OF_3, ROWS_2_OF_3 }

    private record Mapping(String sourceKey, Transform transform) {}

    private final TensorSource source;
    private final Map<String, Mapping> mappings;
    /** Packed in_proj tensors already loaded, by source key: their q, k, v views share them. */
    private final Map<String, NDArray> packedCache = new HashMap<>();

    private OpenClipStateDict(TensorSource source, Map<String, Mapping> mappings) {
        this.source = source;
        this.mappings = mappings;
    }

    /**
     * The view of {@code source}, which it takes over: closing the view closes {@code source}, and
     * so does a failure here.
     *
     * @throws ModelFormatException when {@code source} holds no open_clip CLIP (no
     *     {@code visual.conv1.weight}), naming a few of the keys it does hold
     */
    public static OpenClipStateDict of(TensorSource source) {
        try {
            return view(source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static OpenClipStateDict view(TensorSource source) {
        String prefix = commonPrefix(source);
        if (!source.keys().contains(prefix + "visual.conv1.weight")) {
            List<String> sample = new ArrayList<>(source.keys()).subList(0, Math.min(3, source.keys().size()));
            throw new ModelFormatException(source.describe() + " is not an open_clip CLIP checkpoint: it has no '"
                    + prefix + "visual.conv1.weight' (its keys begin " + sample + ")");
        }
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        for (String key : source.keys()) {
            if (key.startsWith(prefix)) {
                rename(key.substring(prefix.length()), key, mappings);
            }
        }
        return new OpenClipStateDict(source, mappings);
    }

    /** {@code state_dict.} and/or {@code module.} when every key of the state dict starts with them. */
    private static String commonPrefix(TensorSource source) {
        String prefix = source.keys().stream().anyMatch(k -> k.startsWith("state_dict.")) ? "state_dict." : "";
        List<String> own = source.keys().stream().filter(k -> k.startsWith(prefix)).toList();
        if (!own.isEmpty() && own.stream().allMatch(k -> k.startsWith(prefix + "module."))) {
            return prefix + "module.";
        }
        return prefix;
    }

    private static void rename(String key, String sourceKey, Map<String, Mapping> out) {
        Matcher block = BLOCK.matcher(key);
        if (block.matches()) {
            String layer = (block.group(1) == null ? "text_model" : "vision_model") + ".encoder.layers." + block.group(2) + ".";
            String rest = block.group(3);
            if (rest.startsWith("attn.in_proj_")) {
                String kind = rest.substring("attn.in_proj_".length());   // weight or bias
                out.put(layer + "self_attn.q_proj." + kind, new Mapping(sourceKey, Transform.ROWS_0_OF_3));
                out.put(layer + "self_attn.k_proj." + kind, new Mapping(sourceKey, Transform.ROWS_1_OF_3));
                out.put(layer + "self_attn.v_proj." + kind, new Mapping(sourceKey, Transform.ROWS_2_OF_3));
                return;
            }
            String renamed = rest.replaceFirst("^ln_1\\.", "layer_norm1.").replaceFirst("^ln_2\\.", "layer_norm2.")
                    .replaceFirst("^attn\\.out_proj\\.", "self_attn.out_proj.")
                    .replaceFirst("^mlp\\.c_fc\\.", "mlp.fc1.").replaceFirst("^mlp\\.c_proj\\.", "mlp.fc2.");
            out.put(renamed.equals(rest) ? key : layer + renamed, new Mapping(sourceKey, Transform.IDENTITY));
            return;
        }
        String target = switch (key) {
            case "logit_scale" -> "logit_scale";
            case "token_embedding.weight" -> "text_model.embeddings.token_embedding.weight";
            case "positional_embedding" -> "text_model.embeddings.position_embedding.weight";
            case "ln_final.weight" -> "text_model.final_layer_norm.weight";
            case "ln_final.bias" -> "text_model.final_layer_norm.bias";
            case "text_projection" -> "text_projection.weight";
            case "visual.class_embedding" -> "vision_model.embeddings.class_embedding";
            case "visual.positional_embedding" -> "vision_model.embeddings.position_embedding.weight";
            case "visual.conv1.weight" -> "vision_model.embeddings.patch_embedding.weight";
            case "visual.ln_pre.weight" -> "vision_model.pre_layrnorm.weight";
            case "visual.ln_pre.bias" -> "vision_model.pre_layrnorm.bias";
            case "visual.ln_post.weight" -> "vision_model.post_layernorm.weight";
            case "visual.ln_post.bias" -> "vision_model.post_layernorm.bias";
            case "visual.proj" -> "visual_projection.weight";
            default -> key;
        };
        boolean transpose = key.equals("text_projection") || key.equals("visual.proj");
        out.put(target, new Mapping(sourceKey, transpose ? Transform.TRANSPOSE : Transform.IDENTITY));
    }

    @Override
    public Set<String> keys() {
        return mappings.keySet();
    }

    @Override
    public TensorInfo info(String key) {
        Mapping m = mapping(key);
        TensorInfo in = source.info(m.sourceKey());
        long[] shape = in.shape();
        switch (m.transform()) {
            case IDENTITY -> { }
            case TRANSPOSE -> {
                if (shape.length != 2) {
                    throw new ModelFormatException(describe() + ": '" + m.sourceKey() + "' must be a 2-d matrix to transpose, has "
                            + shape.length + " dimensions");
                }
                shape = new long[] {shape[1], shape[0]};
            }
            default -> {
                if (shape.length == 0 || shape[0] % 3 != 0) {
                    throw new ModelFormatException(describe() + ": '" + m.sourceKey() + "' does not pack q, k and v: its first"
                            + " dimension is not a multiple of 3");
                }
                shape = shape.clone();
                shape[0] /= 3;
            }
        }
        return new TensorInfo(key, in.dtype(), shape);
    }

    /**
     * Loads one tensor. The rows of q, k and v are views of one loaded {@code in_proj} tensor, so a
     * packed weight is read once and held once.
     */
    @Override
    public NDArray load(String key, NDManager manager) {
        Mapping m = mapping(key);
        info(key);   // checks the transform fits the stored shape
        return switch (m.transform()) {
            case IDENTITY -> source.load(m.sourceKey(), manager);
            case TRANSPOSE -> source.load(m.sourceKey(), manager).transpose();
            case ROWS_0_OF_3, ROWS_1_OF_3, ROWS_2_OF_3 -> {
                NDArray packed = packed(m.sourceKey(), manager);
                long rows = packed.getShape().get(0) / 3;
                long first = rows * (m.transform().ordinal() - Transform.ROWS_0_OF_3.ordinal());
                yield packed.get("{}:{}", first, first + rows);
            }
        };
    }

    private NDArray packed(String sourceKey, NDManager manager) {
        NDArray cached = packedCache.get(sourceKey);
        if (cached == null || cached.isReleased() || cached.getManager() != manager) {
            cached = source.load(sourceKey, manager);
            packedCache.put(sourceKey, cached);
        }
        return cached;
    }

    @Override
    public String describe() {
        return "open_clip weights in " + source.describe();
    }

    @Override
    public void close() {
        packedCache.clear();
        source.close();
    }

    private Mapping mapping(String key) {
        Mapping m = mappings.get(key);
        if (m == null) {
            throw new ModelFormatException("no tensor '" + key + "' in " + describe());
        }
        return m;
    }
}
