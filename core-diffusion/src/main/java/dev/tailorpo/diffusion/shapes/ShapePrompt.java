package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;

import java.util.Locale;
import java.util.Objects;

/**
 * A prompt of the shapes world: {@code a {size} {colour} {shape} on a {background} background}.
 * The grammar is fixed so that every prompt maps to exactly one attribute tuple, which is what
 * lets the alignment reward score an image against its prompt.
 */
public record ShapePrompt(ShapeSize size, Colour colour, ShapeKind shape, Background background) {

    /** The grammar, as shown in error messages. */
    public static final String GRAMMAR = "a {size} {colour} {shape} on a {background} background";

    /** @throws InvalidInputException if the object would have the background's colour (white on white) */
    public ShapePrompt {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(background, "background");
        if (!background.allows(colour)) {
            throw new InvalidInputException("a " + colour.word() + " " + shape.word() + " on a " + background.word()
                    + " background is not in the shapes world: the background never has the shape's colour");
        }
    }

    /**
     * Parses a prompt; case and runs of whitespace are ignored.
     *
     * @throws InvalidInputException naming the word at fault and the allowed words
     */
    public static ShapePrompt parse(String text) {
        Objects.requireNonNull(text, "prompt");
        String[] w = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (w.length != 8) {
            throw new InvalidInputException("shapes prompt '" + text + "' has " + w.length
                    + " words; expected 8, as in '" + GRAMMAR + "'");
        }
        expect(w, 0, "a", text);
        expect(w, 4, "on", text);
        expect(w, 5, "a", text);
        expect(w, 7, "background", text);
        return new ShapePrompt(
                PromptWord.parse(ShapeSize.class, "size", w[1], text),
                PromptWord.parse(Colour.class, "colour", w[2], text),
                PromptWord.parse(ShapeKind.class, "shape", w[3], text),
                PromptWord.parse(Background.class, "background", w[6], text));
    }

    private static void expect(String[] words, int at, String expected, String text) {
        if (!words[at].equals(expected)) {
            throw new InvalidInputException("shapes prompt '" + text + "': word " + (at + 1) + " is '" + words[at]
                    + "' but the grammar '" + GRAMMAR + "' has '" + expected + "' there");
        }
    }

    /** The class indices in {@link Attribute} order: shape, colour, background, size. */
    public int[] attributeIndices() {
        return new int[] {shape.index(), colour.index(), background.index(), size.index()};
    }

    /** The prompt text; {@link #parse} inverts it. */
    @Override
    public String toString() {
        return "a " + size.word() + " " + colour.word() + " " + shape.word() + " on a " + background.word()
                + " background";
    }
}
