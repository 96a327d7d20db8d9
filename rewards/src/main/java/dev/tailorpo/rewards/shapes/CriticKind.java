package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.shapes.Attribute;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The two learned rewards of the shapes world and what their {@link CriticNet} outputs. */
public enum CriticKind {
    /** Regresses the quality rating: one output. */
    AESTHETIC("shapes-aesthetic", 1),
    /** Classifies the four attributes: one head of logits per {@link Attribute}, concatenated. */
    ALIGNMENT("shapes-alignment", Arrays.stream(Attribute.values()).mapToInt(Attribute::classes).sum());

    private final String rewardId;
    private final int outputs;

    CriticKind(String rewardId, int outputs) {
        this.rewardId = rewardId;
        this.outputs = outputs;
    }

    /** The word used in configs and on the command line: {@code aesthetic} or {@code alignment}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reward provider's id and the default model folder's name, e.g. {@code shapes-aesthetic}. */
    public String rewardId() {
        return rewardId;
    }

    /** The size of the network's last layer. */
    public int outputs() {
        return outputs;
    }

    /** Parses {@link #word()}. */
    public static CriticKind parse(String word) {
        for (CriticKind k : values()) {
            if (k.word().equals(word)) {
                return k;
            }
        }
        throw new InvalidInputException("unknown reward model kind '" + word + "'; expected one of "
                + Arrays.stream(values()).map(CriticKind::word).collect(Collectors.joining(", ")));
    }
}
