package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Other ways to compute GroupNorm, to check {@link F#groupNorm} against and to time it against:
 * the written-out definition and libtorch's batch norm over (sample, group) rows.
 */
public final class GroupNormReference {
    private GroupNormReference() {}

    /** The definition with reductions (biased variance), as the project first wrote it. */
    public static NDArray means(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        Shape s = x.getShape();
        NDArray r = x.reshape(s.get(0), groups, -1);
        NDArray mean = r.mean(new int[] {2}, true);
        NDArray centred = r.sub(mean);
        NDArray var = centred.square().mean(new int[] {2}, true);
        return affine(centred.div(var.add(eps).sqrt()).reshape(s), weight, bias);
    }

    /**
     * libtorch's fused batch norm in training mode on (1, B * groups, rest): each (sample, group)
     * becomes a "channel" normalised with its own statistics. The JNI wants running statistics
     * and an affine; they are throwaway (momentum 0 leaves the statistics as they are).
     */
    public static NDArray batchNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        Shape s = x.getShape();
        long rows = s.get(0) * groups;
        NDManager m = x.getManager();
        Shape stat = new Shape(rows);
        // JniUtils names its arguments (gamma, beta, mean, var) but passes them to the native
        // batch_norm(input, running_mean, running_var, weight, bias): the first pair are the stats
        NDArray normed = JniUtils.batchNorm((PtNDArray) x.reshape(1, rows, -1),
                (PtNDArray) m.zeros(stat), (PtNDArray) m.ones(stat),
                (PtNDArray) m.ones(stat), (PtNDArray) m.zeros(stat), true, 0.0, eps);
        return affine(normed.reshape(s), weight, bias);
    }

    private static NDArray affine(NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        long[] a = new long[s.dimension()];
        java.util.Arrays.fill(a, 1);
        a[1] = s.get(1);
        return x.mul(weight.reshape(new Shape(a))).add(bias.reshape(new Shape(a)));
    }
}
