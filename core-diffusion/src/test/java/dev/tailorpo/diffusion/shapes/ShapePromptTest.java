package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapePromptTest {

    @Test
    void everyPromptRoundTripsThroughItsText() {
        Set<String> texts = new HashSet<>();
        for (ShapePrompt p : ShapesPrompts.all()) {
            String text = p.toString();
            assertEquals(p, ShapePrompt.parse(text), text);
            assertTrue(texts.add(text), "duplicate text " + text);
        }
        // 2 sizes x 6 shapes x (7 colours x 4 backgrounds - white on white)
        assertEquals(2 * 6 * (7 * 4 - 1), texts.size());
    }

    @Test
    void parseIgnoresCaseAndExtraWhitespace() {
        assertEquals(new ShapePrompt(ShapeSize.LARGE, Colour.BLUE, ShapeKind.STAR, Background.NAVY),
                ShapePrompt.parse("  A Large  BLUE star on a\tnavy background "));
    }

    /** The class indices are the classifier heads' labels: this pins them. */
    @Test
    void classIndicesAreStable() {
        assertEquals(List.of("circle", "square", "triangle", "diamond", "star", "cross"), words(ShapeKind.values()));
        assertEquals(List.of("red", "orange", "yellow", "green", "blue", "purple", "white"), words(Colour.values()));
        assertEquals(List.of("black", "gray", "white", "navy"), words(Background.values()));
        assertEquals(List.of("small", "large"), words(ShapeSize.values()));
        for (PromptWord[] values : new PromptWord[][] {ShapeKind.values(), Colour.values(), Background.values(), ShapeSize.values()}) {
            for (int i = 0; i < values.length; i++) {
                assertEquals(i, values[i].index());
            }
        }
        assertArrayEquals(new int[] {6, 7, 4, 2}, Arrays.stream(Attribute.values()).mapToInt(Attribute::classes).toArray());
        ShapePrompt p = ShapePrompt.parse("a small purple diamond on a gray background");
        assertArrayEquals(new int[] {3, 5, 1, 0}, p.attributeIndices());
    }

    private static List<String> words(PromptWord[] values) {
        return Arrays.stream(values).map(PromptWord::word).toList();
    }

    @Test
    void unknownWordsAreNamedWithTheAllowedOnes() {
        String m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a small pink circle on a black background")).getMessage();
        assertTrue(m.contains("colour 'pink'") && m.contains("red, orange, yellow, green, blue, purple, white"), m);

        m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a small red hexagon on a black background")).getMessage();
        assertTrue(m.contains("shape 'hexagon'") && m.contains("circle, square, triangle, diamond, star, cross"), m);

        m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a small red circle on a green background")).getMessage();
        assertTrue(m.contains("background 'green'") && m.contains("black, gray, white, navy"), m);

        m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a huge red circle on a black background")).getMessage();
        assertTrue(m.contains("size 'huge'") && m.contains("small, large"), m);
    }

    @Test
    void textOutsideTheGrammarIsRejected() {
        String m = assertThrows(InvalidInputException.class, () -> ShapePrompt.parse("a red circle")).getMessage();
        assertTrue(m.contains("3 words") && m.contains(ShapePrompt.GRAMMAR), m);
        m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a small red circle in a black background")).getMessage();
        assertTrue(m.contains("'in'") && m.contains("'on'"), m);
        m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a small red circle on a black backdrop")).getMessage();
        assertTrue(m.contains("'backdrop'"), m);
    }

    @Test
    void whiteOnWhiteIsRejected() {
        String m = assertThrows(InvalidInputException.class,
                () -> ShapePrompt.parse("a large white star on a white background")).getMessage();
        assertTrue(m.contains("white star on a white background"), m);
        assertThrows(InvalidInputException.class,
                () -> new ShapePrompt(ShapeSize.SMALL, Colour.WHITE, ShapeKind.CIRCLE, Background.WHITE));
    }
}
