package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.eval.report.ImageGrid;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Generates images for a list of prompts into a folder: one PNG per image at the model's
 * resolution, named {@code p<prompt index>_i<image index>.png} (zero-padded, e.g.
 * {@code p003_i01.png}), and labelled grids (a row per prompt with its text, a column per image
 * index; {@link ImageGrid}), enlarged by nearest neighbour so that small images stay readable. A grid holds at most
 * {@value #GRID_PROMPTS} prompts: {@code grid.png}, or {@code grid-1.png}, {@code grid-2.png}, ...
 * for longer lists. No existing file is ever overwritten.
 */
public final class ImageFolder {
    /** Prompts (rows) per grid image. */
    public static final int GRID_PROMPTS = 32;
    private ImageFolder() {}

    /** What was written. */
    public record Written(List<Path> images, List<Path> grids) {
        public Written {
            images = List.copyOf(images);
            grids = List.copyOf(grids);
        }
    }

    /** Progress after each batch. */
    @FunctionalInterface
    public interface Listener {
        void onBatch(int imagesDone, int imagesTotal);
    }

    /**
     * Generates {@code imagesPerPrompt} images of each prompt with {@code generator} in batches of
     * {@code batchSize} and writes them, with the grids, into {@code dir} (which must exist).
     */
    public static Written write(ImageGenerator generator, List<String> prompts, int imagesPerPrompt, int batchSize,
                                Path dir, NDManager manager, Listener listener) {
        if (prompts.isEmpty()) {
            throw new InvalidInputException("no prompts to generate");
        }
        List<ImageKey> keys = ImageGenerator.keys(prompts, imagesPerPrompt);
        int pDigits = Math.max(3, digits(prompts.size() - 1));
        int iDigits = Math.max(2, digits(imagesPerPrompt - 1));
        int pages = (prompts.size() + GRID_PROMPTS - 1) / GRID_PROMPTS;
        BufferedImage[][] pictures = new BufferedImage[prompts.size()][imagesPerPrompt];
        List<Path> images = new ArrayList<>();
        List<Path> grids = new ArrayList<>();
        int[] done = {0};
        int[] nextPage = {0};
        generator.generate(keys, batchSize, manager, (batch, array) -> {
            List<BufferedImage> pics = Images.toPictures(array);
            for (int r = 0; r < batch.size(); r++) {
                ImageKey k = batch.get(r);
                Path file = dir.resolve(fileName(k, pDigits, iDigits));
                Images.writeNewPng(pics.get(r), file);
                images.add(file);
                pictures[k.promptIndex()][k.imageIndex()] = pics.get(r);
            }
            done[0] += batch.size();
            // keys run prompt by prompt, so a page is complete once its last prompt's last image is in
            while (nextPage[0] < pages) {
                int from = nextPage[0] * GRID_PROMPTS;
                int to = Math.min(prompts.size(), from + GRID_PROMPTS);
                if (pictures[to - 1][imagesPerPrompt - 1] == null) {
                    break;
                }
                Path grid = dir.resolve(pages == 1 ? "grid.png" : "grid-" + (nextPage[0] + 1) + ".png");
                Images.writeNewPng(grid(prompts, pictures, from, to), grid);
                grids.add(grid);
                for (int p = from; p < to; p++) {
                    pictures[p] = null; // written: let the pictures go
                }
                nextPage[0]++;
            }
            listener.onBatch(done[0], keys.size());
        });
        return new Written(images, grids);
    }

    /** {@code p<prompt>_i<image>.png} with the given zero padding. */
    public static String fileName(ImageKey key, int promptDigits, int imageDigits) {
        return String.format(Locale.ROOT, "p%0" + promptDigits + "d_i%0" + imageDigits + "d.png",
                key.promptIndex(), key.imageIndex());
    }

    private static BufferedImage grid(List<String> prompts, BufferedImage[][] pictures, int from, int to) {
        int n = pictures[from].length;
        List<String> columns = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            columns.add("image " + j);
        }
        ImageGrid.Builder b = ImageGrid.builder(columns); // zoom: about 128 pixels a cell (x4 for 32x32)
        for (int p = from; p < to; p++) {
            b.row(p + ": " + prompts.get(p), List.of(pictures[p]));
        }
        return b.build().render();
    }

    private static int digits(int v) {
        return Integer.toString(Math.max(0, v)).length();
    }
}
