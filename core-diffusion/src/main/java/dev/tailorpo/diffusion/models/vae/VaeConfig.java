package dev.tailorpo.diffusion.models.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * diffusers' {@code AutoencoderKL} configuration as SD's VAE uses it, read from
 * {@code vae/config.json} with diffusers' defaults for absent keys. Latent statistics
 * ({@code latents_mean}/{@code latents_std}, {@code shift_factor}: SDXL/SD3 VAEs) and block types
 * other than the encoder/decoder blocks are rejected naming the key.
 *
 * @param scalingFactor latents in the diffusion model's space are the VAE's latents times this
 */
public record VaeConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        float scalingFactor,
        boolean midBlockAddAttention,
        boolean useQuantConv,
        boolean usePostQuantConv,
        int sampleSize) {

    private static final Set<String> KNOWN = Set.of("in_channels", "out_channels", "latent_channels", "block_out_channels",
            "layers_per_block", "norm_num_groups", "scaling_factor", "mid_block_add_attention", "use_quant_conv",
            "use_post_quant_conv", "sample_size", "down_block_types", "up_block_types", "act_fn", "force_upcast",
            "latents_mean", "latents_std", "shift_factor");

    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty()) {
            throw new ConfigException("VAE config: 'block_out_channels' is empty");
        }
        for (int ch : blockOutChannels) {
            if (ch % normNumGroups != 0) {
                throw new ConfigException("VAE config: 'block_out_channels' " + ch + " is not divisible by 'norm_num_groups' " + normNumGroups);
            }
        }
    }

    public static VaeConfig read(Path configJson) {
        try {
            return parse(new ObjectMapper().readTree(configJson.toFile()), configJson.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read VAE config " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** @param source named in error messages */
    public static VaeConfig parse(JsonNode root, String source) {
        String where = "VAE config " + source + ": ";
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!e.getKey().startsWith("_") && !KNOWN.contains(e.getKey()) && !v.isNull() && !(v.isBoolean() && !v.asBoolean())) {
                throw new ConfigException(where + "unsupported key '" + e.getKey() + "' = " + v);
            }
        }
        for (String key : List.of("latents_mean", "latents_std", "shift_factor")) {
            if (root.has(key) && !root.get(key).isNull()) {
                throw new ConfigException(where + "'" + key + "' is not supported (only null)");
            }
        }
        if (root.has("act_fn") && !root.get("act_fn").asText().equals("silu")) {
            throw new ConfigException(where + "'act_fn' = " + root.get("act_fn") + " is not supported (only silu)");
        }
        List<Integer> channels = new ArrayList<>();
        if (root.has("block_out_channels")) {
            root.get("block_out_channels").forEach(c -> channels.add(c.asInt()));
        } else {
            channels.add(64);
        }
        checkTypes(root, "down_block_types", "DownEncoderBlock2D", channels.size(), where);
        checkTypes(root, "up_block_types", "UpDecoderBlock2D", channels.size(), where);
        JsonNode size = root.path("sample_size");
        return new VaeConfig(
                root.path("in_channels").asInt(3),
                root.path("out_channels").asInt(3),
                root.path("latent_channels").asInt(4),
                channels,
                root.path("layers_per_block").asInt(1),
                root.path("norm_num_groups").asInt(32),
                (float) root.path("scaling_factor").asDouble(0.18215),
                root.path("mid_block_add_attention").asBoolean(true),
                root.path("use_quant_conv").asBoolean(true),
                root.path("use_post_quant_conv").asBoolean(true),
                size.isArray() ? size.path(0).asInt(0) : size.asInt(0));
    }

    private static void checkTypes(JsonNode root, String key, String only, int n, String where) {
        if (!root.has(key)) {
            if (n != 1) {
                throw new ConfigException(where + "'" + key + "' is missing for " + n + " blocks");
            }
            return;
        }
        JsonNode v = root.get(key);
        if (!v.isArray() || v.size() != n) {
            throw new ConfigException(where + "'" + key + "' must list " + n + " blocks, got " + v);
        }
        for (JsonNode t : v) {
            if (!t.asText().equals(only)) {
                throw new ConfigException(where + "'" + key + "' contains unsupported block '" + t.asText() + "' (only " + only + ")");
            }
        }
    }
}
