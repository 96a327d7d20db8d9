package dev.tailorpo.eval.gen;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.eval.report.ImageGrid;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Side-by-side samples of an evaluation: per prompt set, a grid with a row per model (its first
 * run) and a column per prompt (the first few of the set), each cell image 0 of that prompt. As
 * every model starts from the same noise, each column compares the models on one x_T. Feed it from
 * {@link Evaluation.Listener#onImages}.
 */
public final class ModelGrids {
    private final int prompts;
    // set -> model label -> prompt index -> picture
    private final Map<String, Map<String, Map<Integer, BufferedImage>>> kept = new LinkedHashMap<>();
    private final Map<String, List<String>> promptTexts = new LinkedHashMap<>();

    /** Keeps image 0 of the first {@code prompts} prompts of each set. */
    public ModelGrids(int prompts) {
        this.prompts = prompts;
    }

    /** Keeps what the grids need from one batch. */
    public void accept(EvalModel model, int run, PromptFile set, List<ImageKey> keys, NDArray images) {
        if (run != 0) {
            return;
        }
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < keys.size(); r++) {
            if (keys.get(r).imageIndex() == 0 && keys.get(r).promptIndex() < prompts) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        promptTexts.putIfAbsent(set.name(), set.prompts().subList(0, Math.min(prompts, set.prompts().size())));
        List<BufferedImage> pictures = Images.toPictures(images);
        Map<Integer, BufferedImage> row = kept.computeIfAbsent(set.name(), k -> new LinkedHashMap<>())
                .computeIfAbsent(model.label(), k -> new LinkedHashMap<>());
        for (int r : rows) {
            row.put(keys.get(r).promptIndex(), pictures.get(r));
        }
    }

    /** Writes {@code grid_<set>.png} per set into {@code dir} (new files only); returns them. */
    public List<Path> write(Path dir) {
        List<Path> out = new ArrayList<>();
        kept.forEach((set, models) -> {
            List<String> columns = promptTexts.get(set);
            ImageGrid.Builder b = ImageGrid.builder(columns);
            models.forEach((label, row) -> {
                List<BufferedImage> images = new ArrayList<>();
                for (int p = 0; p < columns.size(); p++) {
                    images.add(row.get(p));
                }
                b.row(label, images);
            });
            Path file = dir.resolve("grid_" + EvalFolder.fileSafe(set) + ".png");
            Images.writeNewPng(b.build().render(), file);
            out.add(file);
        });
        return out;
    }
}
