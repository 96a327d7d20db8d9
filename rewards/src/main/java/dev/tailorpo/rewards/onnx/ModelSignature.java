package dev.tailorpo.rewards.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.tailorpo.api.ConfigException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the reward's options bind to the inputs and output of one ONNX session, checked once when the
 * reward is created so that a wrong name, type or size fails there, with the model's own
 * signature in the message, rather than in the middle of a training run.
 *
 * @param image the image input (float32, (N, 3, S, S))
 * @param size S
 * @param batch the model's fixed batch size, or 0 when the batch dimension is dynamic
 * @param text the token-id input, or null
 * @param textType int64 or int32
 * @param mask the attention-mask input, or null
 * @param maskType int64 or int32
 * @param output the score output
 * @param index which of the output's values per image is the score
 */
record ModelSignature(String image, int size, int batch, String text, OnnxJavaType textType,
                      String mask, OnnxJavaType maskType, String output, int index) {

    static ModelSignature bind(OnnxRewardOptions o, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs,
                               int textLength) {
        Path file = o.model();
        String imageName = o.imageInput();
        if (imageName == null) {
            if (inputs.size() != 1 || o.textInput() != null) {
                throw new ConfigException("onnx reward: the model " + file + " has " + inputs.size()
                        + " inputs; name the image input with option 'image_input'; its inputs are: " + describe(inputs));
            }
            imageName = inputs.keySet().iterator().next();
        }
        TensorInfo image = input(file, inputs, imageName, "image_input");
        long[] shape = image.getShape();
        if (image.type != OnnxJavaType.FLOAT || shape.length != 4 || (shape[1] >= 0 && shape[1] != 3)) {
            throw new ConfigException("onnx reward: the image input '" + imageName + "' of " + file
                    + " must be float32 [N,3,H,W], but it is " + describe(image));
        }
        int size = imageSize(o, file, imageName, shape);
        Set<String> fed = new LinkedHashSet<>();
        fed.add(imageName);

        OnnxJavaType textType = null;
        OnnxJavaType maskType = null;
        if (o.textInput() != null) {
            textType = tokenInput(file, inputs, o.textInput(), "text_input", textLength);
            fed.add(o.textInput());
            if (o.maskInput() != null) {
                maskType = tokenInput(file, inputs, o.maskInput(), "mask_input", textLength);
                fed.add(o.maskInput());
            }
        }
        Set<String> unfed = new LinkedHashSet<>(inputs.keySet());
        unfed.removeAll(fed);
        if (!unfed.isEmpty()) {
            throw new ConfigException("onnx reward: the model " + file + " also needs the input(s) " + unfed
                    + ", which no option feeds (image_input, text_input, mask_input); its inputs are: " + describe(inputs));
        }
        String outputName = o.output() == null ? outputs.keySet().iterator().next() : o.output();
        int index = outputIndex(o, file, outputs, outputName);
        return new ModelSignature(imageName, size, (int) Math.max(shape[0], 0), o.textInput(), textType,
                o.maskInput(), maskType, outputName, index);
    }

    private static TensorInfo input(Path file, Map<String, NodeInfo> inputs, String name, String option) {
        NodeInfo node = inputs.get(name);
        if (node == null) {
            throw new ConfigException("onnx reward: the model " + file + " has no input named '" + name
                    + "' (option '" + option + "'); its inputs are: " + describe(inputs));
        }
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new ConfigException("onnx reward: the input '" + name + "' of " + file + " is not a tensor: " + node.getInfo());
        }
        return t;
    }

    /** The declared input size must agree with a fixed model size; a dynamic model needs one declared. */
    private static int imageSize(OnnxRewardOptions o, Path file, String name, long[] shape) {
        long h = shape[2];
        long w = shape[3];
        boolean fixed = h > 0 && w > 0;
        if (fixed && h != w) {
            throw new ConfigException("onnx reward: the image input '" + name + "' of " + file + " is not square ("
                    + h + "x" + w + "); only square inputs are supported");
        }
        if (o.inputSize() == null) {
            if (!fixed) {
                throw new ConfigException("onnx reward: the image input '" + name + "' of " + file
                        + " has a dynamic size " + Arrays.toString(shape) + "; set option 'input_size'");
            }
            return (int) h;
        }
        if (fixed && o.inputSize() != h) {
            throw new ConfigException("onnx reward: option 'input_size' is " + o.inputSize() + " but the image input '"
                    + name + "' of " + file + " is " + Arrays.toString(shape));
        }
        return o.inputSize();
    }

    private static OnnxJavaType tokenInput(Path file, Map<String, NodeInfo> inputs, String name, String option, int length) {
        TensorInfo t = input(file, inputs, name, option);
        long[] shape = t.getShape();
        if ((t.type != OnnxJavaType.INT64 && t.type != OnnxJavaType.INT32) || shape.length != 2) {
            throw new ConfigException("onnx reward: the input '" + name + "' (option '" + option + "') of " + file
                    + " must be int64 or int32 [N,L], but it is " + describe(t));
        }
        if (shape[1] > 0 && shape[1] != length) {
            throw new ConfigException("onnx reward: the input '" + name + "' of " + file + " takes " + shape[1]
                    + " tokens but the tokenizer pads to " + length);
        }
        return t.type;
    }

    private static int outputIndex(OnnxRewardOptions o, Path file, Map<String, NodeInfo> outputs, String name) {
        NodeInfo node = outputs.get(name);
        if (node == null) {
            throw new ConfigException("onnx reward: the model " + file + " has no output named '" + name
                    + "' (option 'output'); its outputs are: " + describe(outputs));
        }
        if (!(node.getInfo() instanceof TensorInfo t) || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE)) {
            throw new ConfigException("onnx reward: the output '" + name + "' of " + file
                    + " must be a float32 or float64 tensor, but it is " + describe(node.getInfo()));
        }
        long[] shape = t.getShape();
        long perImage = 1;
        for (int i = 1; i < shape.length; i++) {
            perImage = shape[i] < 0 || perImage < 0 ? -1 : perImage * shape[i];
        }
        int index = o.index() == null ? 0 : o.index();
        if (perImage > 0 && index >= perImage) {
            throw new ConfigException("onnx reward: option 'index' is " + index + " but the output '" + name + "' of "
                    + file + " has " + perImage + " value(s) per image (" + describe(t) + ")");
        }
        if (perImage > 1 && o.index() == null) {
            throw new ConfigException("onnx reward: the output '" + name + "' of " + file + " has " + perImage
                    + " values per image (" + describe(t) + "); choose the score with option 'index'");
        }
        return index;
    }

    /** {@code name (float32 [-1,3,224,224]), ...}, the form the error messages list inputs in. */
    static String describe(Map<String, NodeInfo> nodes) {
        return nodes.values().stream().map(n -> n.getName() + " (" + describe(n.getInfo()) + ")")
                .collect(Collectors.joining(", "));
    }

    static String describe(ValueInfo info) {
        if (!(info instanceof TensorInfo t)) {
            return String.valueOf(info);
        }
        String dims = Arrays.stream(t.getShape()).mapToObj(Long::toString).collect(Collectors.joining(","));
        return typeName(t.type) + " [" + dims + "]";
    }

    private static String typeName(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case INT8 -> "int8";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case STRING -> "string";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
