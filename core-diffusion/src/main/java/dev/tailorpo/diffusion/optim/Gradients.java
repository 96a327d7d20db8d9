package dev.tailorpo.diffusion.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.nn.Param;

import java.util.Collection;

/**
 * Access to accumulated gradients. DJL returns a new handle to a parameter's {@code .grad} on every
 * call, attached to the parameter's long-lived manager; each handle is moved into the caller's
 * short-lived scope here so that handles never pile up. In-place edits on a handle change the real
 * gradient.
 */
public final class Gradients {
    private Gradients() {}

    /** A handle to {@code weight}'s gradient, owned by {@code scope}. */
    public static NDArray of(NDArray weight, NDManager scope) {
        NDArray g = weight.getGradient();
        g.attach(scope);
        return g;
    }

    /** The global L2 norm of the parameters' gradients. */
    public static double globalNorm(Collection<Param> params, NDManager scope) {
        double sq = 0;
        for (Param p : params) {
            NDArray g = of(p.array(), scope);
            sq += g.square().sum().getFloat();
        }
        return Math.sqrt(sq);
    }

    /**
     * Scales the gradients so that their global norm is at most {@code maxNorm}, as
     * {@code torch.nn.utils.clip_grad_norm_} does (coefficient maxNorm / (norm + 1e-6)).
     *
     * @return the norm before clipping
     */
    public static double clipGlobalNorm(Collection<Param> params, double maxNorm, NDManager scope) {
        double norm = globalNorm(params, scope);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (Param p : params) {
                of(p.array(), scope).muli((float) coef);
            }
        }
        return norm;
    }

    /** Multiplies every gradient by {@code factor} (e.g. 1/k after accumulating k minibatches). */
    public static void scale(Collection<Param> params, double factor, NDManager scope) {
        for (Param p : params) {
            of(p.array(), scope).muli((float) factor);
        }
    }

    /** The names of the parameters whose gradient holds a NaN or an infinity (for error messages). */
    public static java.util.List<String> nonFinite(java.util.Map<String, Param> params, NDManager scope) {
        java.util.List<String> bad = new java.util.ArrayList<>();
        params.forEach((name, p) -> {
            NDArray g = of(p.array(), scope);
            if (!Float.isFinite(g.abs().sum().getFloat())) {
                bad.add(name);
            }
        });
        return bad;
    }
}
