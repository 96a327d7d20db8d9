package dev.tailorpo.eval.gen;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.eval.report.Better;
import dev.tailorpo.eval.report.Cell;
import dev.tailorpo.eval.report.Column;
import dev.tailorpo.eval.report.Table;
import dev.tailorpo.eval.stats.SeedPooled;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The evaluation's tables, one per prompt set like the paper's Tables 2 and 3: a row per model, a
 * column per reward, each cell the mean with its standard error and N.
 *
 * <p>Two poolings. {@link Pooling#SEEDS}, the headline: a model with several training runs is
 * summarised with the run as the unit (mean of the per-run means, SE across runs, N = all images);
 * a single run or the base model over its images ({@link SeedPooled#estimate()}).
 * {@link Pooling#IMAGES}: every image of every run as one sample (mean and SE over images), for
 * comparison with single-run papers; only made when some model has several runs, as the two are
 * otherwise the same. {@link Pooling#CHANGE}: when the base model is among the models, each other
 * model's change against it, paired image by image.
 */
public final class ScoreTables {
    private ScoreTables() {}

    /** How a model's runs are pooled; each table's file-name suffix and heading say which. */
    public enum Pooling {
        /** Training seed as the unit when there are several. */
        SEEDS("", ""),
        /** All images of all runs as one sample. */
        IMAGES("_per_image", "all images pooled (SE over images)"),
        /**
         * The difference to the base model's score of the same image (same prompt, image index and
         * noise seed, so the same initial and step noise), pooled like {@link #SEEDS}. Pairing
         * removes the spread between prompts and noises, which is most of the spread of the scores:
         * a change far smaller than a column's standard error can stand out here.
         */
        CHANGE("_change", "change against the base model, paired on the same noise");

        private final String fileSuffix;
        private final String description;

        Pooling(String fileSuffix, String description) {
            this.fileSuffix = fileSuffix;
            this.description = description;
        }

        /** Appended to {@code table_<set>} in file names. */
        public String fileSuffix() {
            return fileSuffix;
        }

        /** What the table shows beyond the seed-pooled one ("" for that one), for headings. */
        public String description() {
            return description;
        }
    }

    /** One table. */
    public record Entry(String promptSet, Pooling pooling, Table table) {}

    /** The table of {@code promptSet} with {@code pooling} among {@code entries}, if made. */
    public static Optional<Table> find(List<Entry> entries, String promptSet, Pooling pooling) {
        return entries.stream().filter(e -> e.promptSet().equals(promptSet) && e.pooling() == pooling)
                .map(Entry::table).findFirst();
    }

    /**
     * Prints the seed-pooled and change tables as Markdown under a heading each, as the commands
     * show them on the console (the per-image tables stay in the files).
     *
     * @param caption the heading's start for a prompt set, e.g. its name and size
     */
    public static void print(List<Entry> entries, Function<String, String> caption, PrintStream out) {
        for (Entry e : entries) {
            if (e.pooling() != Pooling.IMAGES) {
                String about = e.pooling().description();
                out.println(caption.apply(e.promptSet()) + (about.isEmpty() ? "" : ", " + about) + ":");
                out.println(e.table().toMarkdown().strip());
                out.println();
            }
        }
    }

    /**
     * The scores of {@code model} under {@code reward} on {@code promptSet}, pooled over its runs
     * (run 0, 1, ... in order).
     *
     * @throws InvalidInputException when there are none
     */
    public static SeedPooled pooled(List<ScoreRecord> records, String model, String reward, String promptSet) {
        return perRun(records, model, reward, promptSet, ScoreRecord::score);
    }

    /**
     * The tables of {@code records}, per prompt set in {@code sets} order: the {@link Pooling#SEEDS}
     * table, then (when some model has several runs) the {@link Pooling#IMAGES} one.
     *
     * @param models the row labels in order
     * @param rewards the columns in order; the direction of each comes from its info
     */
    public static List<Entry> build(List<ScoreRecord> records, List<String> models, List<RewardInfo> rewards,
                                    List<String> sets) {
        boolean severalRuns = records.stream().anyMatch(r -> r.run() > 0);
        List<Entry> out = new ArrayList<>();
        for (String set : sets) {
            Map<String, Map<String, SeedPooled>> cells = new LinkedHashMap<>();
            List<Column> columns = new ArrayList<>();
            for (RewardInfo info : rewards) {
                double largest = 0;
                for (String m : models) {
                    SeedPooled p = pooled(records, m, info.id(), set);
                    cells.computeIfAbsent(m, k -> new LinkedHashMap<>()).put(info.id(), p);
                    largest = Math.max(largest, Math.abs(p.allImages().mean()));
                }
                columns.add(new Column(info.id(), info.higherIsBetter() ? Better.HIGHER : Better.LOWER, digits(largest)));
            }
            for (Pooling pooling : severalRuns ? List.of(Pooling.SEEDS, Pooling.IMAGES) : List.of(Pooling.SEEDS)) {
                Table.Builder b = Table.builder("Model", columns.toArray(Column[]::new));
                for (String m : models) {
                    List<Cell> row = new ArrayList<>();
                    for (RewardInfo info : rewards) {
                        SeedPooled p = cells.get(m).get(info.id());
                        row.add(Cell.of(pooling == Pooling.SEEDS ? p.estimate() : p.allImages().estimate()));
                    }
                    b.row(m, row.toArray(Cell[]::new));
                }
                out.add(new Entry(set, pooling, b.build()));
            }
            if (models.contains(EvalModel.BASE) && models.size() > 1) {
                out.add(new Entry(set, Pooling.CHANGE, changeTable(records, models, rewards, set)));
            }
        }
        return out;
    }

    /** A row per model but the base: the mean paired difference to the base per reward. */
    private static Table changeTable(List<ScoreRecord> records, List<String> models, List<RewardInfo> rewards, String set) {
        List<Column> columns = new ArrayList<>();
        Map<String, List<SeedPooled>> rows = new LinkedHashMap<>();
        for (RewardInfo info : rewards) {
            double largest = 0;
            Map<String, Double> base = baseScores(records, info.id(), set);
            for (String m : models) {
                if (!m.equals(EvalModel.BASE)) {
                    SeedPooled p = change(records, base, m, info.id(), set);
                    rows.computeIfAbsent(m, k -> new ArrayList<>()).add(p);
                    largest = Math.max(largest, Math.abs(p.allImages().mean()));
                }
            }
            columns.add(new Column("Δ " + info.id(), info.higherIsBetter() ? Better.HIGHER : Better.LOWER, digits(largest)));
        }
        Table.Builder b = Table.builder("Model", columns.toArray(Column[]::new));
        rows.forEach((m, cells) -> b.row(m, cells.stream().map(p -> Cell.of(p.estimate())).toArray(Cell[]::new)));
        return b.build();
    }

    /**
     * The differences of {@code model}'s scores to the base model's scores of the same images
     * (prompt, image index and noise seed), per run.
     *
     * @throws InvalidInputException when an image of the model has no base image to pair with
     */
    public static SeedPooled change(List<ScoreRecord> records, String model, String reward, String promptSet) {
        return change(records, baseScores(records, reward, promptSet), model, reward, promptSet);
    }

    /** The base model's score of each image under {@code reward} on {@code promptSet}, by image key. */
    private static Map<String, Double> baseScores(List<ScoreRecord> records, String reward, String promptSet) {
        Map<String, Double> base = new LinkedHashMap<>();
        for (ScoreRecord r : records) {
            if (r.model().equals(EvalModel.BASE) && r.reward().equals(reward) && r.promptSet().equals(promptSet)) {
                base.put(imageKey(r), r.score());
            }
        }
        return base;
    }

    private static SeedPooled change(List<ScoreRecord> records, Map<String, Double> base, String model, String reward,
                                     String promptSet) {
        return perRun(records, model, reward, promptSet, r -> {
            Double reference = base.get(imageKey(r));
            if (reference == null) {
                throw new InvalidInputException("image " + r.image() + " of '" + r.prompt() + "' (seed " + r.seed()
                        + ") of model '" + model + "' has no base-model image to compare with on '" + promptSet + "'");
            }
            return r.score() - reference;
        });
    }

    /** {@code value} of each of the model's records, grouped by run (0, 1, ...) and pooled. */
    private static SeedPooled perRun(List<ScoreRecord> records, String model, String reward, String promptSet,
                                     ToDoubleFunction<ScoreRecord> value) {
        Map<Integer, List<Double>> byRun = new TreeMap<>();
        for (ScoreRecord r : records) {
            if (r.model().equals(model) && r.reward().equals(reward) && r.promptSet().equals(promptSet)) {
                byRun.computeIfAbsent(r.run(), k -> new ArrayList<>()).add(value.applyAsDouble(r));
            }
        }
        if (byRun.isEmpty()) {
            throw new InvalidInputException("no scores of model '" + model + "' for reward '" + reward + "' on '" + promptSet + "'");
        }
        List<double[]> perRun = new ArrayList<>();
        byRun.values().forEach(v -> perRun.add(v.stream().mapToDouble(Double::doubleValue).toArray()));
        return SeedPooled.of(perRun);
    }

    private static String imageKey(ScoreRecord r) {
        return r.seed() + "\u0000" + r.image() + "\u0000" + r.prompt();
    }

    /**
     * Decimals for a column whose largest |mean| is {@code largest}: 2 for values of 1 and more
     * (an aesthetic 5.79, a compressibility -105.51), more for small ones (an alignment log-probability
     * -0.0076 gets 4), at most 4.
     */
    static int digits(double largest) {
        if (!(largest > 0) || largest >= 1) {
            return 2;
        }
        int d = 1 - (int) Math.floor(Math.log10(largest));
        return Math.max(2, Math.min(4, d));
    }
}
