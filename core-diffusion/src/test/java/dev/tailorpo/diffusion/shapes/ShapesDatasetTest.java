package dev.tailorpo.diffusion.shapes;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesDatasetTest {

    @Test
    void aSampleDependsOnlyOnSeedAndIndex() {
        ShapesDataset a = new ShapesDataset(42);
        ShapesDataset b = new ShapesDataset(42);
        // b is read backwards and in parallel: the order must not matter
        List<ShapesSample> backwards = LongStream.range(0, 200).map(i -> 199 - i).parallel()
                .mapToObj(b::get).toList();
        for (int i = 0; i < 200; i++) {
            ShapesSample x = a.get(i);
            ShapesSample y = backwards.get(199 - i);
            assertEquals(x.prompt(), y.prompt());
            assertEquals(x.params(), y.params());
            assertArrayEquals(x.image(), y.image());
            assertEquals(x.rating(), y.rating());
        }
        assertNotEquals(new ShapesDataset(43).get(0).params(), a.get(0).params());
    }

    @Test
    void samplesCarryTheirRatingAndAttributes() {
        ShapesDataset data = new ShapesDataset(5);
        for (int i = 0; i < 100; i++) {
            ShapesSample s = data.get(i);
            assertEquals(QualityRating.of(s.params(), s.prompt().shape()), s.rating());
            assertArrayEquals(ShapesRenderer.render(s.prompt(), s.params()), s.image());
            ShapePrompt p = s.prompt();
            assertArrayEquals(new int[] {p.shape().index(), p.colour().index(), p.background().index(), p.size().index()},
                    s.attributes());
        }
    }

    @Test
    void promptsAreDrawnFromTheWholeWorldByDefaultAndFromTheGivenListOtherwise() {
        ShapesDataset all = new ShapesDataset(9);
        Set<ShapePrompt> seen = new HashSet<>();
        int unseen = 0;
        int n = 6000;
        for (int i = 0; i < n; i++) {
            ShapePrompt p = all.get(i).prompt();
            seen.add(p);
            unseen += ShapesPrompts.isHeldOut(p.colour(), p.shape()) ? 1 : 0;
        }
        assertEquals(ShapesPrompts.all().size(), seen.size(), "every prompt appears in 6000 samples");
        double expected = (double) ShapesPrompts.unseen().size() / ShapesPrompts.all().size();
        assertEquals(expected, (double) unseen / n, 0.03);

        ShapesDataset train = new ShapesDataset(9, ShapesPrompts.train());
        for (int i = 0; i < 500; i++) {
            assertTrue(ShapesPrompts.train().contains(train.get(i).prompt()));
        }
    }

    /** Writes a contact sheet to target/ (docs/images/shapes-samples.png is made by ShapesContactSheet.main). */
    @Test
    void contactSheetHasOneCellPerSample() throws IOException {
        ShapesDataset data = new ShapesDataset(0);
        List<ShapesSample> samples = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            samples.add(data.get(i));
        }
        BufferedImage sheet = ShapesContactSheet.render(samples, 4, 3);
        assertEquals(4 * (96 + 6) + 6, sheet.getWidth());
        Path out = Path.of("target", "shapes-samples.png");
        Files.createDirectories(out.getParent());
        assertTrue(ImageIO.write(sheet, "png", out.toFile()));
    }
}
