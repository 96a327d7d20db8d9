package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * Other ways to compute GroupNorm, to check {@link F#groupNorm} against and to time it against:
 * the written-out definition and libtorch's layer norm over the groups.
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

    /** libtorch's fused layer norm over the last axis of (B, groups, rest). */
    public static NDArray layerNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        Shape s = x.getShape();
        NDArray r = x.reshape(s.get(0), groups, -1);
        Shape last = new Shape(r.getShape().get(2));
        NDManager m = x.getManager();
        NDArray normed = LayerNorm.layerNorm(r, last, m.ones(last), m.zeros(last), eps).singletonOrThrow();
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
