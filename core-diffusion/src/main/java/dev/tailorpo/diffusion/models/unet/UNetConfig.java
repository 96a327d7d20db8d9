package dev.tailorpo.diffusion.models.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The subset of diffusers' {@code UNet2DConditionModel} configuration that the SD 1.x/2.x family
 * uses, read from a snapshot's {@code unet/config.json}. Absent keys take diffusers' defaults.
 * Keys that switch on features this implementation lacks (class or addition embeddings, a
 * timestep-condition projection, other block types, ...) are rejected with a
 * {@link ConfigException} naming the key, instead of silently building a different network.
 *
 * <p>Head counts: SD's configs put the number of heads in {@code attention_head_dim} (a naming
 * slip diffusers kept for compatibility: 8 heads of width 40 in SD 1.5, 5/10/20/20 heads of width
 * 64 in SD 2.x). {@code num_attention_heads}, when set, takes precedence and means the same thing;
 * the head width is always the block's channels divided by its head count.
 *
 * @param layersPerBlock resnets per down block (up blocks have one more), per block
 * @param transformerLayersPerBlock transformer blocks in each Transformer2DModel, per down block
 * @param attentionHeadDim the config's {@code attention_head_dim}, per block
 * @param numAttentionHeads the config's {@code num_attention_heads} per block, or null
 * @param timeEmbeddingDim the config's {@code time_embedding_dim}, or 0 for 4 x the first channels
 * @param sampleSize latent side length, or 0 when the config does not say
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        int sampleSize,
        boolean centerInputSample,
        boolean flipSinToCos,
        float freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        List<Integer> layersPerBlock,
        int downsamplePadding,
        float midBlockScaleFactor,
        int normNumGroups,
        float normEps,
        int crossAttentionDim,
        List<Integer> transformerLayersPerBlock,
        List<Integer> attentionHeadDim,
        List<Integer> numAttentionHeads,
        boolean useLinearProjection,
        boolean upcastAttention,
        int convInKernel,
        int convOutKernel,
        int timeEmbeddingDim) {

    public static final Set<String> DOWN_BLOCK_TYPES = Set.of("CrossAttnDownBlock2D", "DownBlock2D");
    public static final Set<String> UP_BLOCK_TYPES = Set.of("CrossAttnUpBlock2D", "UpBlock2D");
    public static final String MID_BLOCK_TYPE = "UNetMidBlock2DCrossAttn";

    /**
     * Keys whose only supported value is diffusers' default (shown): anything else selects a
     * feature this implementation does not have.
     */
    private static final Map<String, Object> MUST_BE_DEFAULT = Map.ofEntries(
            Map.entry("addition_embed_type", NullValue.NULL),
            Map.entry("class_embed_type", NullValue.NULL),
            Map.entry("time_cond_proj_dim", NullValue.NULL),
            Map.entry("encoder_hid_dim", NullValue.NULL),
            Map.entry("encoder_hid_dim_type", NullValue.NULL),
            Map.entry("num_class_embeds", NullValue.NULL),
            Map.entry("projection_class_embeddings_input_dim", NullValue.NULL),
            Map.entry("time_embedding_act_fn", NullValue.NULL),
            Map.entry("timestep_post_act", NullValue.NULL),
            Map.entry("cross_attention_norm", NullValue.NULL),
            Map.entry("reverse_transformer_layers_per_block", NullValue.NULL),
            Map.entry("mid_block_only_cross_attention", NullValue.NULL),
            Map.entry("dual_cross_attention", false),
            Map.entry("only_cross_attention", false),
            Map.entry("class_embeddings_concat", false),
            Map.entry("resnet_skip_time_act", false),
            Map.entry("resnet_time_scale_shift", "default"),
            Map.entry("time_embedding_type", "positional"),
            Map.entry("attention_type", "default"),
            Map.entry("act_fn", "silu"),
            Map.entry("resnet_out_scale_factor", 1.0),
            Map.entry("dropout", 0.0));

    /** Keys read into the record. */
    private static final Set<String> READ = Set.of("in_channels", "out_channels", "sample_size", "center_input_sample",
            "flip_sin_to_cos", "freq_shift", "down_block_types", "mid_block_type", "up_block_types",
            "block_out_channels", "layers_per_block", "downsample_padding", "mid_block_scale_factor",
            "norm_num_groups", "norm_eps", "cross_attention_dim", "transformer_layers_per_block",
            "attention_head_dim", "num_attention_heads", "use_linear_projection", "upcast_attention",
            "conv_in_kernel", "conv_out_kernel", "time_embedding_dim");

    /** Keys that only qualify a feature rejected above, so their value does not matter. */
    private static final Set<String> IGNORED = Set.of("addition_time_embed_dim", "addition_embed_type_num_heads");

    private enum NullValue { NULL }

    public UNetConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        layersPerBlock = List.copyOf(layersPerBlock);
        transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
        attentionHeadDim = List.copyOf(attentionHeadDim);
        numAttentionHeads = numAttentionHeads == null ? null : List.copyOf(numAttentionHeads);
    }

    /** Reads {@code config.json}. */
    public static UNetConfig read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read UNet config " + configJson + ": " + e.getMessage(), e);
        }
        return parse(root, configJson.toString());
    }

    /**
     * Builds a config from a parsed {@code config.json}.
     *
     * @param source named in error messages
     */
    public static UNetConfig parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ConfigException("UNet config " + source + " is not a JSON object");
        }
        checkKeys(root, source);
        Reader r = new Reader(root, source);
        List<String> down = r.strings("down_block_types",
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        int n = down.size();
        UNetConfig c = new UNetConfig(
                r.integer("in_channels", 4),
                r.integer("out_channels", 4),
                r.sampleSize(),
                r.bool("center_input_sample", false),
                r.bool("flip_sin_to_cos", true),
                (float) r.number("freq_shift", 0),
                down,
                r.string("mid_block_type", MID_BLOCK_TYPE),
                r.strings("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")),
                r.ints("block_out_channels", null, List.of(320, 640, 1280, 1280)),
                r.ints("layers_per_block", n, List.of(2)),
                r.integer("downsample_padding", 1),
                (float) r.number("mid_block_scale_factor", 1),
                r.integer("norm_num_groups", 32),
                (float) r.number("norm_eps", 1e-5),
                r.integer("cross_attention_dim", 1280),
                r.ints("transformer_layers_per_block", n, List.of(1)),
                r.ints("attention_head_dim", n, List.of(8)),
                r.has("num_attention_heads") ? r.ints("num_attention_heads", n, null) : null,
                r.bool("use_linear_projection", false),
                r.bool("upcast_attention", false),
                r.integer("conv_in_kernel", 3),
                r.integer("conv_out_kernel", 3),
                r.has("time_embedding_dim") ? r.integer("time_embedding_dim", 0) : 0);
        c.validate();
        return c;
    }

    private static void checkKeys(JsonNode root, String source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.startsWith("_") || READ.contains(key) || IGNORED.contains(key)) {
                continue;
            }
            Object expected = MUST_BE_DEFAULT.get(key);
            if (expected == null) {
                // a key newer than this code: harmless only when it is switched off
                if (!v.isNull() && !(v.isBoolean() && !v.asBoolean())) {
                    throw new ConfigException("UNet config " + source + ": unsupported key '" + key + "' = " + v);
                }
            } else if (!matchesDefault(v, expected)) {
                throw new ConfigException("UNet config " + source + ": '" + key + "' = " + v
                        + " is not supported (only " + (expected == NullValue.NULL ? "null" : expected) + ")");
            }
        }
    }

    private static boolean matchesDefault(JsonNode v, Object expected) {
        if (expected == NullValue.NULL) {
            return v.isNull();
        }
        if (expected instanceof Boolean b) {
            if (v.isArray()) {   // per-block flags, e.g. only_cross_attention
                for (JsonNode e : v) {
                    if (!matchesDefault(e, expected)) {
                        return false;
                    }
                }
                return true;
            }
            return v.isNull() && !b || v.isBoolean() && v.asBoolean() == b;
        }
        if (expected instanceof Double d) {
            return v.isNumber() && v.asDouble() == d;
        }
        return v.isTextual() && v.asText().equals(expected);
    }

    /**
     * Checks that the values describe a network this implementation can build (block types, list
     * lengths, divisibility); the model's constructor calls it too.
     */
    public void validate() {
        UNetConfig c = this;
        int n = c.blockOutChannels.size();
        String where = "UNet config: ";
        if (c.downBlockTypes.size() != n || c.upBlockTypes.size() != n) {
            throw new ConfigException(where + "'down_block_types' (" + c.downBlockTypes.size() + "), 'up_block_types' ("
                    + c.upBlockTypes.size() + ") and 'block_out_channels' (" + n + ") must have the same length");
        }
        for (String t : c.downBlockTypes) {
            if (!DOWN_BLOCK_TYPES.contains(t)) {
                throw new ConfigException(where + "'down_block_types' contains unsupported block '" + t + "' (supported: " + DOWN_BLOCK_TYPES + ")");
            }
        }
        for (String t : c.upBlockTypes) {
            if (!UP_BLOCK_TYPES.contains(t)) {
                throw new ConfigException(where + "'up_block_types' contains unsupported block '" + t + "' (supported: " + UP_BLOCK_TYPES + ")");
            }
        }
        if (!MID_BLOCK_TYPE.equals(c.midBlockType)) {
            throw new ConfigException(where + "'mid_block_type' = " + c.midBlockType + " is not supported (only " + MID_BLOCK_TYPE + ")");
        }
        for (String key : List.of("layers_per_block", "transformer_layers_per_block", "attention_head_dim", "num_attention_heads")) {
            List<Integer> list = switch (key) {
                case "layers_per_block" -> c.layersPerBlock;
                case "transformer_layers_per_block" -> c.transformerLayersPerBlock;
                case "attention_head_dim" -> c.attentionHeadDim;
                default -> c.numAttentionHeads;
            };
            if (list != null && list.size() != n) {
                throw new ConfigException(where + "'" + key + "' has " + list.size() + " entries for " + n + " blocks");
            }
        }
        if (c.convInKernel % 2 == 0 || c.convOutKernel % 2 == 0) {
            throw new ConfigException(where + "'conv_in_kernel'/'conv_out_kernel' must be odd (" + c.convInKernel + ", " + c.convOutKernel + ")");
        }
        for (int i = 0; i < n; i++) {
            int ch = c.blockOutChannels.get(i);
            if (ch % c.normNumGroups != 0) {
                throw new ConfigException(where + "'block_out_channels' " + ch + " is not divisible by 'norm_num_groups' " + c.normNumGroups);
            }
            if (ch % c.heads(i) != 0) {
                throw new ConfigException(where + "block " + i + " has " + ch + " channels, not divisible into " + c.heads(i) + " heads");
            }
        }
    }

    /** Attention heads of down block {@code i} (the mid block uses the last block's count). */
    public int heads(int i) {
        return (numAttentionHeads != null ? numAttentionHeads : attentionHeadDim).get(i);
    }

    /** Resnets in down block {@code i}. */
    public int layersPerBlock(int i) {
        return layersPerBlock.get(i);
    }

    /** Transformer blocks per Transformer2DModel of down block {@code i}. */
    public int transformerLayersPerBlock(int i) {
        return transformerLayersPerBlock.get(i);
    }

    /** Width of the time embedding (4 x the first block's channels unless configured). */
    public int timeEmbedDim() {
        return timeEmbeddingDim > 0 ? timeEmbeddingDim : 4 * blockOutChannels.get(0);
    }

    /** JSON access with diffusers' defaults and error messages that name the key. */
    private static final class Reader {
        private final JsonNode root;
        private final String source;

        Reader(JsonNode root, String source) {
            this.root = root;
            this.source = source;
        }

        boolean has(String key) {
            return root.has(key) && !root.get(key).isNull();
        }

        private ConfigException bad(String key, String expected) {
            return new ConfigException("UNet config " + source + ": '" + key + "' = " + root.get(key) + " is not " + expected);
        }

        int integer(String key, int dflt) {
            if (!has(key)) {
                return dflt;
            }
            JsonNode v = root.get(key);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw bad(key, "an integer");
            }
            return v.asInt();
        }

        double number(String key, double dflt) {
            if (!has(key)) {
                return dflt;
            }
            if (!root.get(key).isNumber()) {
                throw bad(key, "a number");
            }
            return root.get(key).asDouble();
        }

        boolean bool(String key, boolean dflt) {
            if (!has(key)) {
                return dflt;
            }
            if (!root.get(key).isBoolean()) {
                throw bad(key, "true or false");
            }
            return root.get(key).asBoolean();
        }

        String string(String key, String dflt) {
            if (!root.has(key)) {
                return dflt;
            }
            JsonNode v = root.get(key);
            return v.isNull() ? null : v.asText();
        }

        List<String> strings(String key, List<String> dflt) {
            if (!has(key)) {
                return dflt;
            }
            JsonNode v = root.get(key);
            if (!v.isArray()) {
                throw bad(key, "a list of block names");
            }
            List<String> out = new ArrayList<>();
            v.forEach(e -> out.add(e.asText()));
            return out;
        }

        /** An int or a list of ints; a single int is repeated {@code n} times (n null: must be a list). */
        List<Integer> ints(String key, Integer n, List<Integer> dflt) {
            if (!has(key)) {
                return expand(Objects.requireNonNull(dflt), n);
            }
            JsonNode v = root.get(key);
            if (v.isIntegralNumber()) {
                return expand(List.of(v.asInt()), n);
            }
            if (!v.isArray()) {
                throw bad(key, "an integer or a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    // e.g. SDXL-style nested lists of per-layer counts
                    throw bad(key, "an integer or a flat list of integers");
                }
                out.add(e.asInt());
            }
            return out;
        }

        private static List<Integer> expand(List<Integer> values, Integer n) {
            if (n == null || values.size() != 1) {
                return values;
            }
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(values.get(0));
            }
            return out;
        }

        int sampleSize() {
            if (!has("sample_size")) {
                return 0;
            }
            JsonNode v = root.get("sample_size");
            if (v.isArray() && v.size() > 0) {
                return v.get(0).asInt();   // (H, W): SD's are square
            }
            if (!v.isIntegralNumber()) {
                throw bad("sample_size", "an integer");
            }
            return v.asInt();
        }
    }
}
