package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An attribute value that is written as one word of a shapes prompt. The enums implementing it
 * keep their constants in a fixed order: {@link #index()} is the class index of the alignment
 * classifier's head for that attribute, so reordering the constants would silently relabel trained
 * checkpoints (a test pins the order).
 */
public interface PromptWord {

    /** The word as it appears in a prompt (lower case). */
    String word();

    /** The stable class index (the enum ordinal). */
    int index();

    /**
     * The constant of {@code type} whose word is {@code word} (case-insensitive).
     *
     * @throws InvalidInputException naming the bad word, the attribute and the allowed words
     */
    static <E extends Enum<E> & PromptWord> E parse(Class<E> type, String attribute, String word, String prompt) {
        for (E e : type.getEnumConstants()) {
            if (e.word().equalsIgnoreCase(word)) {
                return e;
            }
        }
        throw new InvalidInputException("unknown " + attribute + " '" + word + "' in shapes prompt '" + prompt
                + "'; allowed: " + words(type));
    }

    /** The allowed words of {@code type}, comma separated, in index order. */
    static <E extends Enum<E> & PromptWord> String words(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(PromptWord::word).collect(Collectors.joining(", "));
    }
}
