package dev.tailorpo.eval.gen;

import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * data/prompts/imagenet_animals_unseen.txt is what data/README.md says it is: DDPO's
 * {@code imagenet_animals} (the first name of each of the first 398 ImageNet classes) without the
 * training prompts of simple_animals.txt, in class order; so Table 3's prompts were never trained on.
 */
class HeldOutPromptsTest {
    private static final int IMAGENET_ANIMALS = 398;

    @Test
    void heldOutAnimalsAreImagenetAnimalsWithoutTheTrainingPrompts() throws IOException {
        List<String> classes = Files.readAllLines(TestData.data("prompts", "imagenet_classes.txt"));
        Set<String> train = new HashSet<>(PromptFile.read(TestData.data("prompts", "simple_animals.txt")).prompts());
        List<String> expected = new ArrayList<>();
        for (String line : classes.subList(0, IMAGENET_ANIMALS)) {
            String first = line.split(",")[0].strip();
            if (!train.contains(first)) {
                expected.add(first);
            }
        }
        List<String> heldOut = PromptFile.read(TestData.data("prompts", "imagenet_animals_unseen.txt")).prompts();
        assertEquals(expected, heldOut);
        assertEquals(heldOut.size(), new HashSet<>(heldOut).size(), "each prompt once");
        assertTrue(heldOut.stream().noneMatch(train::contains));
        assertEquals(IMAGENET_ANIMALS - heldOut.size(), train.stream().filter(p -> classes.subList(0, IMAGENET_ANIMALS)
                .stream().anyMatch(l -> l.split(",")[0].strip().equals(p))).count(), "the training prompts among the classes");
    }
}
