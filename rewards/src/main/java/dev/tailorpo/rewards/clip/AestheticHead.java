package dev.tailorpo.rewards.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.TensorInfo;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.io.WeightFiles;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The MLP of LAION's improved aesthetic predictor ({@code sac+logos+ava1-l14-linearMSE.pth}):
 *
 * <pre>
 *   nn.Sequential(Linear(768, 1024), Dropout(0.2), Linear(1024, 128), Dropout(0.2),
 *                 Linear(128, 64), Dropout(0.1), Linear(64, 16), Linear(16, 1))
 * </pre>
 *
 * held as {@code self.layers}, so the state-dict keys are {@code layers.{0,2,4,6,7}.{weight,bias}}.
 * There are no activations (the release's MLP is affine end to end) and the dropouts are the
 * identity at inference, so they hold no weights and are not modelled. The widths are read from the
 * file, so the same class loads the real head and the test fixture's toy one (16-32-16-8-4-1).
 * Input: L2-normalised CLIP image embeddings. Parameters stay frozen.
 *
 * <p>ImageReward's head ({@code ImageReward.MLP}, on BLIP's 768-d text feature) is this same
 * network with the same layer indices, so it is this class too.
 */
public final class AestheticHead extends Module {
    /** The indices of the linear layers inside the original {@code nn.Sequential}. */
    static final int[] LINEAR_INDICES = {0, 2, 4, 6, 7};

    private final long[] widths;
    private final List<LinearLayer> linears = new ArrayList<>();

    /** The {@code layers} Sequential: children named by their index in it. */
    private static final class Layers extends Module {
        LinearLayer add(int index, LinearLayer layer) {
            return child(Integer.toString(index), layer);
        }
    }

    /**
     * @param widths the six feature widths: input, the four hidden ones, output (1)
     */
    public AestheticHead(long... widths) {
        if (widths.length != LINEAR_INDICES.length + 1) {
            throw new IllegalArgumentException("an aesthetic head has " + (LINEAR_INDICES.length + 1)
                    + " widths, got " + Arrays.toString(widths));
        }
        this.widths = widths.clone();
        Layers layers = child("layers", new Layers());
        for (int i = 0; i < LINEAR_INDICES.length; i++) {
            linears.add(layers.add(LINEAR_INDICES[i], new LinearLayer(widths[i], widths[i + 1], true)));
        }
    }

    /**
     * Loads a head from a {@code .safetensors} file or a PyTorch checkpoint (any other extension),
     * strictly: every key of the five layers, nothing else, shapes chained.
     *
     * @throws ModelFormatException naming the file and the key that is missing or mis-shaped
     */
    public static AestheticHead load(Path file, NDManager manager) {
        try (TensorSource source = WeightFiles.open(file, "aesthetic head weights")) {
            AestheticHead head = new AestheticHead(widthsOf(source, ""));
            head.load(source, "", Set.of(), manager);
            return head;
        }
    }

    /**
     * The widths the weights under {@code prefix} describe (ImageReward keeps this MLP as
     * {@code mlp.layers.*}): the input of {@code layers.0} and the output of each layer. Whether
     * consecutive layers chain is left to the strict load, whose message lists every mis-shaped key.
     */
    public static long[] widthsOf(TensorSource source, String prefix) {
        long[] widths = new long[LINEAR_INDICES.length + 1];
        for (int i = 0; i < LINEAR_INDICES.length; i++) {
            String key = prefix + "layers." + LINEAR_INDICES[i] + ".weight";
            if (!source.keys().contains(key)) {
                throw new ModelFormatException(source.describe() + " is not a LAION aesthetic head: no tensor '" + key
                        + "' (expected " + prefix + "layers.{0,2,4,6,7}.{weight,bias})");
            }
            TensorInfo info = source.info(key);
            long[] shape = info.shape();
            if (shape.length != 2) {
                throw new ModelFormatException(source.describe() + ": '" + key + "' must be a 2-d (out, in) weight, has shape "
                        + Arrays.toString(shape));
            }
            if (i == 0) {
                widths[0] = shape[1];
            }
            widths[i + 1] = shape[0];
        }
        if (widths[LINEAR_INDICES.length] != 1) {
            throw new ModelFormatException(source.describe() + ": '" + prefix + "layers.7.weight' must give one score, has shape ["
                    + widths[LINEAR_INDICES.length] + ", " + widths[LINEAR_INDICES.length - 1] + "]");
        }
        return widths;
    }

    /** The six feature widths, input first. */
    public long[] widths() {
        return widths.clone();
    }

    /** The embedding width the head takes. */
    public long inputWidth() {
        return widths[0];
    }

    /**
     * @param normalizedEmbeds (B, inputWidth) L2-normalised CLIP image embeddings; differentiable
     * @return (B, 1) scores, in the manager of the input
     */
    public NDArray forward(NDArray normalizedEmbeds) {
        var s = normalizedEmbeds.getShape();
        if (s.dimension() != 2 || s.get(1) != widths[0]) {
            throw new InvalidInputException("the aesthetic head takes (batch, " + widths[0] + ") embeddings, got " + s);
        }
        NDArray x = normalizedEmbeds;
        for (LinearLayer layer : linears) {
            x = layer.forward(x);
        }
        return x;
    }
}
