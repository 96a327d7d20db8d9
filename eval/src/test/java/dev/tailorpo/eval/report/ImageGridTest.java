package dev.tailorpo.eval.report;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageGridTest {

    static float[][][] randomImage(Random rnd, int side) {
        float[][][] chw = new float[3][side][side];
        for (float[][] plane : chw) {
            for (float[] row : plane) {
                for (int x = 0; x < side; x++) {
                    // a little outside [0, 1] too, to see the clamping
                    row[x] = rnd.nextFloat() * 1.2f - 0.1f;
                }
            }
        }
        return chw;
    }

    static ImageGrid example(float[][][][] images) {
        return ImageGrid.builder(List.of("a small red circle on a black background", "seed 1", "seed 2"))
                .rowOfPixels("Base", List.of(images[0], images[1], images[2]))
                .rowOfPixels("TailorPO-G", List.of(images[3], images[4], images[5]))
                .build();
    }

    @Test
    void thirtyTwoPixelImagesAreEnlargedFourTimesPixelForPixel() {
        Random rnd = new Random(7);
        float[][][][] images = new float[6][][][];
        for (int i = 0; i < 6; i++) {
            images[i] = randomImage(rnd, 32);
        }
        ImageGrid grid = example(images);
        assertEquals(4, grid.zoom());
        BufferedImage out = grid.render();
        assertEquals(grid.width(), out.getWidth());
        assertEquals(grid.height(), out.getHeight());
        // cells are 128 px with 4 px gaps and an 8 px margin after the last one
        assertEquals(new Rectangle(grid.cellBounds(0, 0).x + 2 * 132, grid.cellBounds(0, 0).y + 132, 128, 128),
                grid.cellBounds(1, 2));
        assertEquals(grid.cellBounds(1, 2).x + 128 + 8, out.getWidth());
        assertEquals(grid.cellBounds(1, 2).y + 128 + 8, out.getHeight());
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                float[][][] in = images[r * 3 + c];
                Rectangle cell = grid.cellBounds(r, c);
                for (int y = 0; y < 128; y++) {
                    for (int x = 0; x < 128; x++) {
                        int expected = (to8bit(in[0][y / 4][x / 4]) << 16) | (to8bit(in[1][y / 4][x / 4]) << 8)
                                | to8bit(in[2][y / 4][x / 4]);
                        assertEquals(expected, out.getRGB(cell.x + x, cell.y + y) & 0xFFFFFF,
                                "row " + r + ", column " + c + ", pixel (" + x + ", " + y + ")");
                    }
                }
            }
        }
        // the labels are drawn: ink above the first column and left of the first row
        Rectangle first = grid.cellBounds(0, 0);
        assertTrue(hasInk(out, new Rectangle(first.x, 0, first.width, first.y)), "column label");
        assertTrue(hasInk(out, new Rectangle(0, first.y, first.x, first.height)), "row label");
    }

    @Test
    void bufferedImagesTakeAnExplicitZoom() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x123456);
        ImageGrid grid = ImageGrid.builder(List.of("x")).row("", List.of(img)).zoom(2).build();
        Rectangle cell = grid.cellBounds(0, 0);
        assertEquals(new Rectangle(cell.x, cell.y, 6, 4), cell);
        BufferedImage out = grid.render();
        assertEquals(0x123456, out.getRGB(cell.x + 5, cell.y + 3) & 0xFFFFFF);
        assertEquals(0x123456, out.getRGB(cell.x + 4, cell.y + 2) & 0xFFFFFF);
        assertEquals(0, out.getRGB(cell.x + 3, cell.y + 3) & 0xFFFFFF);
    }

    @Test
    void refusesMixedSizesRaggedRowsAndNaN() {
        BufferedImage a = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        InvalidInputException sizes = assertThrows(InvalidInputException.class,
                () -> ImageGrid.builder(List.of("p", "q")).row("m", List.of(a, b)).build());
        assertEquals("grid image at row 'm', column 'q' is 8x8; the others are 4x4", sizes.getMessage());
        assertThrows(InvalidInputException.class, () -> ImageGrid.builder(List.of("p", "q")).row("m", List.of(a)));
        float[][][] nan = new float[3][2][2];
        nan[1][1][0] = Float.NaN;
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImageGrid.builder(List.of("p")).rowOfPixels("m", List.<float[][][]>of(nan)));
        assertEquals("grid row 'm', image 0: image has a NaN pixel", e.getMessage());
    }

    @Test
    void longLabelsWrapWithinTheWidthAndEndInAnEllipsis() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        List<String> lines = TextWrap.wrap("a small red circle on a black background", fm, 128, 3);
        assertTrue(lines.size() >= 2 && lines.size() <= 3, lines.toString());
        assertEquals("a small red circle on a black background", String.join(" ", lines));
        for (String line : lines) {
            assertTrue(fm.stringWidth(line) <= 128, line);
        }
        List<String> cut = TextWrap.wrap("one two three four five six seven", fm, 40, 2);
        assertEquals(2, cut.size());
        assertTrue(cut.get(1).endsWith("…"), cut.toString());
        assertTrue(fm.stringWidth(cut.get(1)) <= 40);
        List<String> word = TextWrap.wrap("incomprehensibilities", fm, 30, 10);
        assertEquals("incomprehensibilities", String.join("", word));
        assertTrue(word.size() > 1);
        g.dispose();
    }

    private static int to8bit(float v) {
        return Math.round(Math.max(0, Math.min(1, v)) * 255);
    }

    private static boolean hasInk(BufferedImage img, Rectangle area) {
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    return true;
                }
            }
        }
        return false;
    }
}
