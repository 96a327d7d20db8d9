package dev.tailorpo.rewards.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tailorpo.rewards.onnx.OnnxWriter.FLOAT;
import static dev.tailorpo.rewards.onnx.OnnxWriter.INT64;
import static dev.tailorpo.rewards.onnx.OnnxWriter.attrInt;
import static dev.tailorpo.rewards.onnx.OnnxWriter.attrInts;
import static dev.tailorpo.rewards.onnx.OnnxWriter.msg;
import static dev.tailorpo.rewards.onnx.OnnxWriter.node;
import static dev.tailorpo.rewards.onnx.OnnxWriter.tensorFloat;
import static dev.tailorpo.rewards.onnx.OnnxWriter.tensorLong;
import static dev.tailorpo.rewards.onnx.OnnxWriter.valueInfo;

/** Tiny scorers whose outputs are easy to compute by hand. */
final class TestModels {
    private TestModels() {}

    /**
     * {@code scores = flatten(pixel_values) @ W}, (N, 2): column 0 is the pixel at channel 0, row 0,
     * column 1 of the preprocessed image; column 1 is the mean over all its values.
     */
    static Path probe(Path dir, String input, long batch, int size) throws IOException {
        int n = 3 * size * size;
        float[] w = new float[n * 2];
        w[1 * 2] = 1f;                      // flat index 1 = (c 0, y 0, x 1)
        for (int i = 0; i < n; i++) {
            w[i * 2 + 1] = 1f / n;
        }
        OnnxWriter.Msg g = msg()
                .msg(1, node("Flatten", new String[] {input}, new String[] {"flat"}, attrInt("axis", 1)))
                .msg(1, node("MatMul", new String[] {"flat", "W"}, new String[] {"scores"}))
                .str(2, "probe")
                .msg(5, tensorFloat("W", new long[] {n, 2}, w))
                .msg(11, valueInfo(input, FLOAT, batch, 3, size, size))
                .msg(12, valueInfo("scores", FLOAT, batch, 2));
        return write(dir.resolve("probe.onnx"), OnnxWriter.model(g, 13));
    }

    /** {@code score = mean(pixel_values)} per image, (N); height and width may be dynamic (-1). */
    static Path mean(Path dir, String input, long h, long w) throws IOException {
        OnnxWriter.Msg g = msg()
                .msg(1, node("ReduceMean", new String[] {input}, new String[] {"score"},
                        attrInts("axes", 1, 2, 3), attrInt("keepdims", 0)))
                .str(2, "mean")
                .msg(11, valueInfo(input, FLOAT, -1, 3, h, w))
                .msg(12, valueInfo("score", FLOAT, -1));
        return write(dir.resolve("mean.onnx"), OnnxWriter.model(g, 13));
    }

    /** {@code score = sqrt(mean(x) - 2)}: NaN for any image in [0, 1] with identity normalisation. */
    static Path nan(Path dir) throws IOException {
        OnnxWriter.Msg g = msg()
                .msg(1, node("ReduceMean", new String[] {"x"}, new String[] {"m"},
                        attrInts("axes", 1, 2, 3), attrInt("keepdims", 0)))
                .msg(1, node("Sub", new String[] {"m", "two"}, new String[] {"d"}))
                .msg(1, node("Sqrt", new String[] {"d"}, new String[] {"score"}))
                .str(2, "nan")
                .msg(5, tensorFloat("two", new long[] {}, new float[] {2f}))
                .msg(11, valueInfo("x", FLOAT, -1, 3, 4, 4))
                .msg(12, valueInfo("score", FLOAT, -1));
        return write(dir.resolve("nan.onnx"), OnnxWriter.model(g, 13));
    }

    /**
     * A text-image scorer: inputs {@code input_ids} and {@code attention_mask} (int64, (N, 77)) and
     * {@code pixel_values}; output {@code scores} (N, 3) = [sum of ids, sum of mask, mean pixel].
     */
    static Path textImage(Path dir, int size) throws IOException {
        OnnxWriter.Msg g = msg()
                .msg(1, node("Cast", new String[] {"input_ids"}, new String[] {"idsf"}, attrInt("to", FLOAT)))
                .msg(1, node("ReduceSum", new String[] {"idsf", "axis1"}, new String[] {"sid"}))
                .msg(1, node("Cast", new String[] {"attention_mask"}, new String[] {"maskf"}, attrInt("to", FLOAT)))
                .msg(1, node("ReduceSum", new String[] {"maskf", "axis1"}, new String[] {"smask"}))
                .msg(1, node("ReduceMean", new String[] {"pixel_values"}, new String[] {"mp4"}, attrInts("axes", 1, 2, 3)))
                .msg(1, node("Flatten", new String[] {"mp4"}, new String[] {"mpix"}, attrInt("axis", 1)))
                .msg(1, node("Concat", new String[] {"sid", "smask", "mpix"}, new String[] {"scores"}, attrInt("axis", 1)))
                .str(2, "text_image")
                .msg(5, tensorLong("axis1", new long[] {1}, new long[] {1}))
                .msg(11, valueInfo("input_ids", INT64, -1, 77))
                .msg(11, valueInfo("attention_mask", INT64, -1, 77))
                .msg(11, valueInfo("pixel_values", FLOAT, -1, 3, size, size))
                .msg(12, valueInfo("scores", FLOAT, -1, 3));
        return write(dir.resolve("text_image.onnx"), OnnxWriter.model(g, 13));
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }
}
