package dev.tailorpo.rewards.onnx;

import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

/**
 * {@code onnx}: any exported scorer (ImageReward, HPSv2, an aesthetic head, ...) run with ONNX
 * Runtime on the CPU. Options (all strings, as in the config):
 *
 * <table>
 * <caption>options of the onnx reward</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code model}</td><td>required</td><td>the .onnx file; a relative path is resolved against the models folder</td></tr>
 * <tr><td>{@code id}</td><td>{@code onnx}</td><td>the reward's id in results</td></tr>
 * <tr><td>{@code name}</td><td>the file name without .onnx</td><td>the name in tables</td></tr>
 * <tr><td>{@code input_size}</td><td>the model's fixed size</td><td>the side images are resized to; required when the model's height and width are dynamic</td></tr>
 * <tr><td>{@code resize}</td><td>{@code bicubic}</td><td>{@code bicubic} or {@code bilinear}, antialiased like PIL (see {@link Resampler})</td></tr>
 * <tr><td>{@code center_crop}</td><td>{@code true}</td><td>resize the shorter side and crop the centre square (CLIP), or squash to a square</td></tr>
 * <tr><td>{@code mean}, {@code std}</td><td>CLIP's</td><td>three comma-separated numbers each, applied to [0, 1] pixels after resizing</td></tr>
 * <tr><td>{@code image_input}</td><td>the model's only input</td><td>the float32 (N, 3, S, S) input</td></tr>
 * <tr><td>{@code text_input}</td><td>none</td><td>the token-id input (int64 or int32, (N, L)) of a text-image scorer; needs {@code tokenizer}</td></tr>
 * <tr><td>{@code tokenizer}</td><td>none</td><td>a CLIP tokenizer folder ({@code vocab.json}, {@code merges.txt}); ids are padded to its length (77)</td></tr>
 * <tr><td>{@code mask_input}</td><td>none</td><td>the attention-mask input (1 for real tokens, 0 for padding)</td></tr>
 * <tr><td>{@code output}</td><td>the first output</td><td>the score output, float32 or float64, (N), (N, 1) or (N, K)</td></tr>
 * <tr><td>{@code index}</td><td>0</td><td>which of the K values per image is the score; required when K &gt; 1</td></tr>
 * <tr><td>{@code higher_is_better}</td><td>{@code true}</td><td></td></tr>
 * <tr><td>{@code min}, {@code max}</td><td>unbounded</td><td>the score's range, as reported to trainers and reports</td></tr>
 * <tr><td>{@code threads}</td><td>ONNX Runtime's default (one per core)</td><td>intra-op threads of the session</td></tr>
 * </table>
 */
public final class OnnxRewardProvider implements RewardProvider {

    @Override
    public String id() {
        return "onnx";
    }

    @Override
    public String description() {
        return "any exported ONNX scorer (ImageReward, HPSv2, aesthetic heads), CPU, not differentiable";
    }

    @Override
    public RewardModel create(RewardContext context) {
        return OnnxReward.open(OnnxRewardOptions.parse(context));
    }
}
