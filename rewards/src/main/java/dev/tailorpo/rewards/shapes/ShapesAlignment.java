package dev.tailorpo.rewards.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.shapes.ShapePrompt;

import java.util.List;

/**
 * {@code shapes-alignment}: how well an image shows its prompt, the shapes world's analogue of
 * ImageReward. A {@link CriticNet} classifies the image's shape, colour, background and size; the
 * reward is the mean over the four attributes of the log-probability it gives the prompt's value
 * ({@link AttributeHeads}): 0 when the classifier is certain of all four, about -0.0001 for a clean
 * render of the prompt, 1.6 to 5 units lower when one attribute is wrong. Range (-inf, 0], higher
 * is better. Prompts must follow the shapes grammar.
 */
public final class ShapesAlignment extends CriticReward {
    public static final String ID = CriticKind.ALIGNMENT.rewardId();

    public ShapesAlignment(CriticModel model) {
        super(model, new RewardInfo(ID, "Alignment (shapes)", Double.NEGATIVE_INFINITY, 0, true, true,
                model.net().config().imageSize()));
    }

    @Override
    NDArray fromOutputs(NDArray outputs, List<String> prompts) {
        return AttributeHeads.meanLogProb(outputs, targets(prompts));
    }

    /**
     * Whether the classifier's most likely value of each attribute (shape, colour, background,
     * size, in {@link dev.tailorpo.diffusion.shapes.Attribute} order) is the prompt's: (B, 4).
     * Images in [0, 1], (B, 3, H, W); no graph is kept.
     */
    public boolean[][] recognised(NDArray images, List<String> prompts) {
        int[][] wanted = targets(prompts);
        int[][] seen;
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray input = images.stopGradient();
            input.attach(scope);
            seen = AttributeHeads.predictions(model().net().forward(CriticInput.resize(input, model().net().config().imageSize())));
        }
        boolean[][] out = new boolean[wanted.length][];
        for (int i = 0; i < wanted.length; i++) {
            out[i] = new boolean[wanted[i].length];
            for (int k = 0; k < wanted[i].length; k++) {
                out[i][k] = seen[i][k] == wanted[i][k];
            }
        }
        return out;
    }

    /** The class indices of each prompt; a prompt outside the grammar fails naming it. */
    static int[][] targets(List<String> prompts) {
        int[][] out = new int[prompts.size()][];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = ShapePrompt.parse(prompts.get(i)).attributeIndices();
            } catch (InvalidInputException | NullPointerException e) {
                throw new InvalidInputException(ID + ": prompt " + i + " '" + prompts.get(i)
                        + "' is not a shapes prompt: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
