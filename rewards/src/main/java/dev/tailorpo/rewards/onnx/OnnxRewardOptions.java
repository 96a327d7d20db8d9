package dev.tailorpo.rewards.onnx;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of the {@code onnx} reward, read from a {@link RewardContext}; see
 * {@link OnnxRewardProvider} for what each means. Values that the model can supply itself (input
 * size, image input, output) stay {@code null} here and are settled against the session.
 */
record OnnxRewardOptions(
        Path model, String id, String name,
        Integer inputSize, Resampler.Filter resize, boolean centerCrop, float[] mean, float[] std,
        String imageInput, String textInput, Path tokenizer, String maskInput,
        String output, Integer index,
        boolean higherIsBetter, double min, double max, Integer threads) {

    /** CLIP's normalisation (OpenAI), which ImageReward, HPSv2, PickScore and the LAION heads use. */
    static final String CLIP_MEAN = "0.48145466,0.4578275,0.40821073";
    static final String CLIP_STD = "0.26862954,0.26130258,0.27577711";

    static final Set<String> KEYS = Set.of("model", "id", "name", "input_size", "resize", "center_crop",
            "mean", "std", "image_input", "text_input", "tokenizer", "mask_input", "output", "index",
            "higher_is_better", "min", "max", "threads");

    /** The reward's name in the messages of {@link RewardContext}'s option accessors. */
    private static final String WHO = "onnx";

    static OnnxRewardOptions parse(RewardContext context) {
        context.requireKnown(WHO, KEYS);
        Map<String, String> o = context.options();
        String modelOption = o.get("model");
        if (modelOption == null || modelOption.isBlank()) {
            throw new ConfigException("onnx reward: option 'model' (the .onnx file) is required");
        }
        Path model = resolve(context, modelOption);
        String stem = model.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
        String textInput = o.get("text_input");
        String tokenizer = o.get("tokenizer");
        if ((textInput == null) != (tokenizer == null)) {
            throw new ConfigException("onnx reward: options 'text_input' and 'tokenizer' go together; got only '"
                    + (textInput == null ? "tokenizer" : "text_input") + "'");
        }
        if (o.containsKey("mask_input") && textInput == null) {
            throw new ConfigException("onnx reward: option 'mask_input' needs 'text_input' and 'tokenizer'");
        }
        double min = context.realOption(WHO, "min", Double.NEGATIVE_INFINITY);
        double max = context.realOption(WHO, "max", Double.POSITIVE_INFINITY);
        if (!(min <= max)) {
            throw new ConfigException("onnx reward: option 'min' " + min + " is not <= 'max' " + max);
        }
        return new OnnxRewardOptions(
                model, o.getOrDefault("id", "onnx"), o.getOrDefault("name", stem),
                context.integerOption(WHO, "input_size", null, 1), filter(o.getOrDefault("resize", "bicubic")),
                context.booleanOption(WHO, "center_crop", true),
                triple(o, "mean", CLIP_MEAN, false), triple(o, "std", CLIP_STD, true),
                o.get("image_input"), textInput, tokenizer == null ? null : resolve(context, tokenizer), o.get("mask_input"),
                o.get("output"), context.integerOption(WHO, "index", null, 0),
                context.booleanOption(WHO, "higher_is_better", true), min, max,
                context.integerOption(WHO, "threads", null, 1));
    }

    /** Relative paths are relative to the framework's models folder. */
    private static Path resolve(RewardContext context, String value) {
        Path p = Path.of(value);
        return p.isAbsolute() || context.modelsDir() == null ? p : context.modelsDir().resolve(p);
    }

    private static Resampler.Filter filter(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "bicubic" -> Resampler.Filter.BICUBIC;
            case "bilinear" -> Resampler.Filter.BILINEAR;
            default -> throw new ConfigException("onnx reward: option 'resize' must be bicubic or bilinear, got '" + value + "'");
        };
    }

    private static float[] triple(Map<String, String> o, String key, String fallback, boolean positive) {
        String v = o.getOrDefault(key, fallback);
        List<Float> values = new ArrayList<>();
        try {
            for (String part : v.split(",")) {
                values.add(Float.parseFloat(part.trim()));
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("onnx reward: option '" + key + "' must be three comma-separated numbers, got '" + v + "'");
        }
        if (values.size() != 3) {
            throw new ConfigException("onnx reward: option '" + key + "' needs one value per RGB channel (3), got " + values.size());
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            out[i] = values.get(i);
            if (!Float.isFinite(out[i]) || (positive && out[i] <= 0)) {
                throw new ConfigException("onnx reward: option '" + key + "' has a bad value " + out[i]
                        + (positive ? " (must be finite and > 0)" : " (must be finite)"));
            }
        }
        return out;
    }
}
