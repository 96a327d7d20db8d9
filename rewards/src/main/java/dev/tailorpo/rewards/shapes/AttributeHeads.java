package dev.tailorpo.rewards.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.shapes.Attribute;

/**
 * The alignment critic's outputs: {@link Attribute#values()} heads of logits laid side by side
 * (shape 6, colour 7, background 4, size 2: 19 columns), each a softmax classifier over its
 * attribute's classes. The one formula both the training loss and the reward use is
 *
 * <pre>
 *   a(x, p) = (1/4) sum over attributes k of log softmax(logits_k(x))[class_k(p)]
 * </pre>
 *
 * the mean log-probability of the prompt's four attributes; training minimises -a (the mean of the
 * four cross-entropies) and the reward is a itself, in (-inf, 0].
 */
public final class AttributeHeads {
    private AttributeHeads() {}

    private static final Attribute[] ATTRIBUTES = Attribute.values();
    /** Columns per image. */
    public static final int WIDTH = CriticKind.ALIGNMENT.outputs();

    /** The first column of each head, in {@link Attribute} order, plus {@link #WIDTH} at the end. */
    static int[] offsets() {
        int[] at = new int[ATTRIBUTES.length + 1];
        for (int k = 0; k < ATTRIBUTES.length; k++) {
            at[k + 1] = at[k] + ATTRIBUTES[k].classes();
        }
        return at;
    }

    /** (B, 19) logits to (B, 19) log-probabilities, normalised within each head; keeps the graph. */
    public static NDArray logProbs(NDArray logits) {
        int[] at = offsets();
        NDList heads = new NDList(ATTRIBUTES.length);
        for (int k = 0; k < ATTRIBUTES.length; k++) {
            heads.add(logits.get(new NDIndex(":, {}:{}", at[k], at[k + 1])).logSoftmax(1));
        }
        return NDArrays.concat(heads, 1);
    }

    /**
     * The mean log-probability {@code a} of each image's attributes.
     *
     * @param logits (B, 19)
     * @param targets B rows of class indices in {@link Attribute} order
     * @return (B), in the manager of {@code logits}, keeping the graph
     */
    public static NDArray meanLogProb(NDArray logits, int[][] targets) {
        long b = logits.getShape().get(0);
        if (targets.length != b) {
            throw new IllegalArgumentException(b + " images but " + targets.length + " target rows");
        }
        int[] at = offsets();
        float[] mask = new float[(int) b * WIDTH];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < ATTRIBUTES.length; k++) {
                int c = targets[i][k];
                if (c < 0 || c >= ATTRIBUTES[k].classes()) {
                    throw new IllegalArgumentException("class " + c + " of " + ATTRIBUTES[k] + " is out of range");
                }
                mask[i * WIDTH + at[k] + c] = 1f / ATTRIBUTES.length;
            }
        }
        NDArray weights = logits.getManager().create(mask, new Shape(b, WIDTH));
        return logProbs(logits).mul(weights).sum(new int[] {1});
    }

    /** The most probable class of each attribute, B rows in {@link Attribute} order (no graph needed). */
    public static int[][] predictions(NDArray logits) {
        int b = (int) logits.getShape().get(0);
        float[] v = logits.toFloatArray();
        int[] at = offsets();
        int[][] out = new int[b][ATTRIBUTES.length];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < ATTRIBUTES.length; k++) {
                int best = 0;
                for (int c = 1; c < ATTRIBUTES[k].classes(); c++) {
                    if (v[i * WIDTH + at[k] + c] > v[i * WIDTH + at[k] + best]) {
                        best = c;
                    }
                }
                out[i][k] = best;
            }
        }
        return out;
    }
}
