package dev.tailorpo.diffusion.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.pipeline.GradMode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The value of a chain of stages and the gradient of its sum with respect to the chain's input,
 * either through one graph of the whole chain or stage by stage with each stage's forward
 * recomputed (activation checkpointing, as {@code torch.utils.checkpoint} does per segment).
 *
 * <p>DJL cannot put a custom backward into libtorch's graph, so the staged chain is run twice by
 * hand: once without a graph, keeping only each stage's input, then from the last stage to the
 * first, each stage again with a graph and a backward pass seeded with the gradient of its output
 * (a vector-Jacobian product: the backward of {@code sum(out * g)} hands {@code g} to
 * {@code out}). One stage's graph is alive at a time, for one more forward of the chain. The ops
 * and their values are those of the whole-chain backward, so the gradient is the same.
 *
 * <p>Both leave gradients in any trainable weight of the stages, as a backward pass does.
 */
public final class ChainGradient {
    private ChainGradient() {}

    /** The chain's output and d sum(output) / d input, in the input's manager. */
    public record Result(NDArray value, NDArray gradient) {}

    /**
     * @param stages applied in order to {@code x}; their composition is the function differentiated
     * @param x the input, without a graph
     */
    public static Result wholeGraph(List<UnaryOperator<NDArray>> stages, NDArray x) {
        NDManager keep = x.getManager();
        try (NDManager pass = keep.newSubManager()) {
            NDArray leaf = leaf(x, pass);
            NDArray out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = leaf;
                for (UnaryOperator<NDArray> stage : stages) {
                    out = stage.apply(out);
                }
                gc.backward(out.sum());
            }
            return keepBoth(out.stopGradient(), leaf.getGradient(), keep);
        }
    }

    /** The same result holding one stage's graph at a time (see the class comment). */
    public static Result stageByStage(List<UnaryOperator<NDArray>> stages, NDArray x) {
        NDManager keep = x.getManager();
        List<NDArray> inputs = new ArrayList<>(stages.size());
        NDArray h = x;
        try (GradMode off = GradMode.disabled()) {
            for (UnaryOperator<NDArray> stage : stages) {
                inputs.add(h);
                h = F.scoped(h, stage);   // the stage's temporaries are freed on return
            }
        }
        NDArray upstream = null;
        for (int k = stages.size() - 1; k >= 0; k--) {
            List<UnaryOperator<NDArray>> terms = stages.get(k) instanceof Sum sum ? sum.terms() : List.of(stages.get(k));
            NDArray gradient = null;
            for (UnaryOperator<NDArray> term : terms) {
                NDArray g = vectorJacobian(term, inputs.get(k), upstream, keep);
                if (gradient == null) {
                    gradient = g;
                } else {
                    gradient.addi(g);
                    g.close();
                }
            }
            upstream = gradient;
        }
        for (NDArray stageInput : inputs.subList(1, inputs.size())) {
            stageInput.close();
        }
        return new Result(h, upstream);
    }

    /**
     * A stage whose output is the sum of its terms' outputs, e.g. the two halves of classifier-free
     * guidance. Stage by stage, each term's gradient is taken through its own graph (the gradient of
     * a sum is the sum of the gradients), so only one term's graph is alive at a time.
     */
    public record Sum(List<UnaryOperator<NDArray>> terms) implements UnaryOperator<NDArray> {
        public Sum {
            if (terms.isEmpty()) {
                throw new IllegalArgumentException("a sum stage needs at least one term");
            }
            terms = List.copyOf(terms);
        }

        @Override
        public NDArray apply(NDArray x) {
            NDArray out = terms.get(0).apply(x);
            for (UnaryOperator<NDArray> term : terms.subList(1, terms.size())) {
                out = out.add(term.apply(x));
            }
            return out;
        }
    }

    /**
     * Recomputes {@code stage(x)} with a graph and backpropagates {@code upstream} through it: the
     * stage's trainable weights gather d sum(stage(x) * upstream) / d w, as a backward pass leaves
     * them. The pass's activations are freed on return; x gets no gradient.
     */
    public static void backward(UnaryOperator<NDArray> stage, NDArray x, NDArray upstream) {
        try (NDManager pass = x.getManager().newSubManager()) {
            NDArray in = x.stopGradient();
            in.attach(pass);   // the stage's activations land in its input's manager
            backwardFrom(stage, in, upstream);
        }
    }

    /** (d sum(stage(x) * upstream) / d x) through one graph of {@code stage}, in {@code keep}; upstream null means ones. */
    private static NDArray vectorJacobian(UnaryOperator<NDArray> stage, NDArray x, NDArray upstream, NDManager keep) {
        try (NDManager pass = keep.newSubManager()) {
            NDArray leaf = leaf(x, pass);
            backwardFrom(stage, leaf, upstream);
            NDArray gradient = leaf.getGradient();
            gradient.attach(keep);
            return gradient;
        }
    }

    /** One backward pass of sum(stage(in) * upstream) (upstream null means ones). */
    private static void backwardFrom(UnaryOperator<NDArray> stage, NDArray in, NDArray upstream) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = stage.apply(in);
            gc.backward(upstream == null ? out.sum() : out.mul(upstream).sum());
        }
    }

    /** A view of {@code x} in {@code manager} that gathers its own gradient. */
    private static NDArray leaf(NDArray x, NDManager manager) {
        NDArray leaf = x.stopGradient();
        leaf.attach(manager);
        leaf.setRequiresGradient(true);
        return leaf;
    }

    private static Result keepBoth(NDArray value, NDArray gradient, NDManager keep) {
        value.attach(keep);
        gradient.attach(keep);
        return new Result(value, gradient);
    }
}
