package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesPromptsTest {

    private static Path file(String name) {
        return TestData.data("prompts", name);
    }

    @Test
    void committedFilesEqualTheGeneratedSets() throws IOException {
        assertEquals(ShapesPrompts.format(ShapesPrompts.train()),
                Files.readString(file(ShapesPrompts.TRAIN_FILE), StandardCharsets.UTF_8),
                "data/prompts/" + ShapesPrompts.TRAIN_FILE + " is stale: run ShapesPrompts.main");
        assertEquals(ShapesPrompts.format(ShapesPrompts.unseen()),
                Files.readString(file(ShapesPrompts.UNSEEN_FILE), StandardCharsets.UTF_8),
                "data/prompts/" + ShapesPrompts.UNSEEN_FILE + " is stale: run ShapesPrompts.main");
    }

    @Test
    void everyLineParsesAndTheSetsPartitionTheWorld() throws IOException {
        List<ShapePrompt> train = ShapesPrompts.read(file(ShapesPrompts.TRAIN_FILE));
        List<ShapePrompt> unseen = ShapesPrompts.read(file(ShapesPrompts.UNSEEN_FILE));
        assertEquals(254, train.size());
        assertEquals(70, unseen.size());
        Set<ShapePrompt> union = new HashSet<>(train);
        union.addAll(unseen);
        assertEquals(train.size() + unseen.size(), union.size(), "train and unseen share prompts");
        assertEquals(new HashSet<>(ShapesPrompts.all()), union);
    }

    @Test
    void heldOutPairsAreAFifthAndLeaveEveryWordInTraining() {
        Set<String> trainPairs = pairs(ShapesPrompts.train());
        Set<String> unseenPairs = pairs(ShapesPrompts.unseen());
        assertEquals(33, trainPairs.size());
        assertEquals(9, unseenPairs.size()); // 9 / 42 = 21%
        Set<String> both = new HashSet<>(trainPairs);
        both.retainAll(unseenPairs);
        assertTrue(both.isEmpty(), "pairs in both sets: " + both);

        EnumSet<Colour> colours = EnumSet.noneOf(Colour.class);
        EnumSet<ShapeKind> shapes = EnumSet.noneOf(ShapeKind.class);
        EnumSet<Background> backgrounds = EnumSet.noneOf(Background.class);
        EnumSet<ShapeSize> sizes = EnumSet.noneOf(ShapeSize.class);
        for (ShapePrompt p : ShapesPrompts.train()) {
            colours.add(p.colour());
            shapes.add(p.shape());
            backgrounds.add(p.background());
            sizes.add(p.size());
        }
        assertEquals(EnumSet.allOf(Colour.class), colours);
        assertEquals(EnumSet.allOf(ShapeKind.class), shapes);
        assertEquals(EnumSet.allOf(Background.class), backgrounds);
        assertEquals(EnumSet.allOf(ShapeSize.class), sizes);
    }

    @Test
    void unseenHoldsEverySizeAndBackgroundOfAHeldOutPair() {
        for (ShapePrompt p : ShapesPrompts.all()) {
            assertEquals(ShapesPrompts.isHeldOut(p.colour(), p.shape()), ShapesPrompts.unseen().contains(p), p.toString());
        }
    }

    @Test
    void aBadLineIsReportedWithItsFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("prompts.txt");
        Files.writeString(f, "a small red circle on a black background\n\na small red blob on a black background\n");
        String m = assertThrows(InvalidInputException.class, () -> ShapesPrompts.read(f)).getMessage();
        assertTrue(m.contains(f + " line 3") && m.contains("shape 'blob'"), m);
    }

    private static Set<String> pairs(List<ShapePrompt> prompts) {
        Set<String> s = new HashSet<>();
        for (ShapePrompt p : prompts) {
            s.add(p.colour().word() + " " + p.shape().word());
        }
        return s;
    }
}
