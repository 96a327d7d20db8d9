package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shapes world's prompt sets, generated here and committed as {@code data/prompts/}
 * {@value #TRAIN_FILE} and {@value #UNSEEN_FILE} (a test checks the files equal what this class
 * generates; {@link #main} rewrites them).
 *
 * <p>As in the paper's unseen-prompt evaluation, the unseen set holds out whole colour-shape
 * pairs: pair (colour, shape) is held out iff {@code (2 colour.index + shape.index) mod 5 == 0},
 * 9 of the 42 pairs (21%). That rule leaves every colour with at least 4 shapes and every shape
 * with at least 5 colours in training, so fine-tuning sees every word and the unseen set tests new
 * combinations of known words. Unseen = every prompt of a held-out pair (both sizes, every allowed
 * background); train = all other prompts.
 */
public final class ShapesPrompts {
    private ShapesPrompts() {}

    public static final String TRAIN_FILE = "shapes_train.txt";
    public static final String UNSEEN_FILE = "shapes_unseen.txt";

    private static final List<ShapePrompt> ALL = enumerate();

    /** Every prompt of the world (324), ordered by colour, shape, size, background index. */
    public static List<ShapePrompt> all() {
        return ALL;
    }

    private static List<ShapePrompt> enumerate() {
        List<ShapePrompt> all = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (ShapeKind s : ShapeKind.values()) {
                for (ShapeSize z : ShapeSize.values()) {
                    for (Background b : Background.values()) {
                        if (b.allows(c)) {
                            all.add(new ShapePrompt(z, c, s, b));
                        }
                    }
                }
            }
        }
        return Collections.unmodifiableList(all);
    }

    /** Whether the colour-shape pair belongs to the unseen set. */
    public static boolean isHeldOut(Colour colour, ShapeKind shape) {
        return (2 * colour.index() + shape.index()) % 5 == 0;
    }

    /** The training prompts, in {@link #all()} order. */
    public static List<ShapePrompt> train() {
        return ALL.stream().filter(p -> !isHeldOut(p.colour(), p.shape())).toList();
    }

    /** The unseen prompts (held-out colour-shape pairs), in {@link #all()} order. */
    public static List<ShapePrompt> unseen() {
        return ALL.stream().filter(p -> isHeldOut(p.colour(), p.shape())).toList();
    }

    /** The file text: one prompt a line, each line ending in a newline. */
    public static String format(List<ShapePrompt> prompts) {
        StringBuilder sb = new StringBuilder();
        for (ShapePrompt p : prompts) {
            sb.append(p).append('\n');
        }
        return sb.toString();
    }

    /**
     * Reads a prompt file; blank lines are skipped.
     *
     * @throws InvalidInputException naming the file and line of a prompt outside the grammar
     */
    public static List<ShapePrompt> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<ShapePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                prompts.add(ShapePrompt.parse(lines.get(i)));
            } catch (InvalidInputException e) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return prompts;
    }

    /** Writes both sets into {@code promptsDir}. */
    public static void write(Path promptsDir) throws IOException {
        Files.createDirectories(promptsDir);
        Files.writeString(promptsDir.resolve(TRAIN_FILE), format(train()), StandardCharsets.UTF_8);
        Files.writeString(promptsDir.resolve(UNSEEN_FILE), format(unseen()), StandardCharsets.UTF_8);
    }

    /** Regenerates the prompt files: {@code ShapesPrompts [promptsDir]} (default {@code data/prompts}). */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/prompts");
        try {
            write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shapes prompt sets to " + dir, e);
        }
        System.out.println("wrote " + train().size() + " train and " + unseen().size() + " unseen prompts to " + dir);
    }
}
