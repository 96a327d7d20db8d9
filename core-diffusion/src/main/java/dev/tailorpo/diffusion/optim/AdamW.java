package dev.tailorpo.diffusion.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.nn.Param;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with exactly PyTorch's update (DJL's own applies eps before the bias correction) and a
 * state that can be saved and restored, so that a resumed run continues bit for bit:
 *
 * <pre>
 *   p -= lr * wd * p
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * Call {@link #step} outside any gradient collector (grad mode off, so the in-place updates are not
 * recorded). State lives in the manager given at construction; per-step temporaries in a
 * sub-manager closed at the end of each step.
 */
public final class AdamW {
    private final Map<String, Param> params;
    private final NDManager stateManager;
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private AdamWConfig config;
    private long step;

    /**
     * @param params the trainable parameters by name (names key the saved state)
     * @param stateManager where the moment buffers live
     */
    public AdamW(Map<String, Param> params, AdamWConfig config, NDManager stateManager) {
        this.params = new LinkedHashMap<>(params);
        this.config = config;
        this.stateManager = stateManager;
    }

    public AdamWConfig config() {
        return config;
    }

    /** Changes hyperparameters (e.g. a scheduled learning rate) without touching the state. */
    public void setConfig(AdamWConfig config) {
        this.config = config;
    }

    /** The number of updates made so far. */
    public long stepCount() {
        return step;
    }

    /** Applies one update from the parameters' accumulated gradients, then zeroes them. */
    public void step() {
        step++;
        double bc1 = 1 - Math.pow(config.beta1(), step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(config.beta2(), step));
        float lr = (float) config.lr();
        try (NDManager scope = stateManager.newSubManager()) {
            for (Map.Entry<String, Param> e : params.entrySet()) {
                NDArray w = e.getValue().array();
                NDArray g = Gradients.of(w, scope);
                NDArray[] mv = moments.computeIfAbsent(e.getKey(),
                        k -> new NDArray[] {stateManager.zeros(w.getShape()), stateManager.zeros(w.getShape())});
                NDArray m = mv[0];
                NDArray v = mv[1];
                m.muli((float) config.beta1()).addi(g.mul((float) (1 - config.beta1())));
                v.muli((float) config.beta2()).addi(g.square().muli((float) (1 - config.beta2())));
                if (config.weightDecay() != 0) {
                    w.muli((float) (1 - config.lr() * config.weightDecay()));
                }
                NDArray denom = v.sqrt();
                denom.attach(scope);
                denom.divi((float) bc2Sqrt).addi((float) config.eps());
                NDArray update = m.div(denom);
                update.attach(scope);
                w.subi(update.muli((float) (lr / bc1)));
                g.subi(g);
            }
        }
    }

    /** Zeroes every parameter's gradient without updating (e.g. after a skipped step). */
    public void zeroGradients() {
        try (NDManager scope = stateManager.newSubManager()) {
            for (Param p : params.values()) {
                NDArray g = Gradients.of(p.array(), scope);
                g.subi(g);
            }
        }
    }

    /** The state as named tensors ({@code <param>.exp_avg}, {@code <param>.exp_avg_sq}), for saving. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        moments.forEach((k, mv) -> {
            out.put(k + ".exp_avg", mv[0]);
            out.put(k + ".exp_avg_sq", mv[1]);
        });
        return out;
    }

    /** Restores a state saved by {@link #state()} after {@code stepCount} updates. */
    public void load(Map<String, NDArray> state, long stepCount) {
        moments.values().forEach(mv -> List.of(mv).forEach(NDArray::close));
        moments.clear();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            NDArray m = state.get(e.getKey() + ".exp_avg");
            NDArray v = state.get(e.getKey() + ".exp_avg_sq");
            if (m == null || v == null) {
                if (stepCount == 0) {
                    continue;
                }
                throw new ModelFormatException("optimizer state has no moments for parameter '" + e.getKey() + "'");
            }
            if (!m.getShape().equals(e.getValue().shape()) || !v.getShape().equals(e.getValue().shape())) {
                throw new ModelFormatException("optimizer state for '" + e.getKey() + "' has shape " + m.getShape()
                        + ", parameter has " + e.getValue().shape());
            }
            NDArray mc = m.duplicate();
            NDArray vc = v.duplicate();
            mc.attach(stateManager);
            vc.attach(stateManager);
            moments.put(e.getKey(), new NDArray[] {mc, vc});
        }
        if (state.size() != 2 * moments.size()) {
            throw new ModelFormatException("optimizer state holds " + state.size() / 2
                    + " parameters, the model trains " + params.size());
        }
        this.step = stepCount;
    }
}
