package dev.tailorpo.eval.experiment;

import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.eval.gen.EvalModel;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.gen.ScoreRecord;
import dev.tailorpo.eval.gen.ScoreTables;
import dev.tailorpo.eval.report.Cell;
import dev.tailorpo.eval.report.Chart;
import dev.tailorpo.eval.report.Column;
import dev.tailorpo.eval.report.Curve;
import dev.tailorpo.eval.report.HtmlReport;
import dev.tailorpo.eval.report.IfExists;
import dev.tailorpo.eval.report.ImageGrid;
import dev.tailorpo.eval.report.LineChart;
import dev.tailorpo.eval.report.MarkdownReport;
import dev.tailorpo.eval.report.Report;
import dev.tailorpo.eval.report.Section;
import dev.tailorpo.eval.report.Spread;
import dev.tailorpo.eval.report.Table;
import dev.tailorpo.eval.stats.Proportion;
import dev.tailorpo.eval.train.TrainConfig;
import dev.tailorpo.trainers.analysis.GuidanceCheck;
import dev.tailorpo.trainers.analysis.OrderConsistency;
import dev.tailorpo.trainers.run.MetricsLog;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The experiment's report, built from its run folders, cached evaluations and analyses: the
 * paper's Tables 2, 3 and 4 (mean ± SE over training seeds, N images), Fig. 4 (reward curves over
 * training samples, mean and min-max band over seeds), Table 1 (guidance check with Wilson
 * intervals), Fig. 2's statistic (order agreement per step) and image grids on shared noise.
 */
public final class ExperimentReport {
    private ExperimentReport() {}

    /**
     * The report and its headline tables.
     *
     * @param tables the tables of Tables 2 and 3 per prompt set (in prompt-set order): seeds pooled,
     *     all images pooled (with several seeds) and the change against the base model on the same
     *     images (with the base model)
     */
    public record Content(Report report, List<ScoreTables.Entry> tables) {}

    static Content build(Experiment experiment, List<Experiment.RunSpec> runs, Map<String, List<ScoreRecord>> scores,
                         List<RewardInfo> infos, List<GuidanceCheck.StepResult> guidance,
                         List<OrderConsistency.StepResult> order) {
        ExperimentConfig config = experiment.config();
        List<PromptFile> sets = experiment.promptSets();
        Report.Builder report = Report.builder("Experiment " + config.name());
        report.section(setup(experiment, sets, runs).build());

        // Tables 2 and 3: method x eval reward, the primary training reward, seeds pooled
        TrainConfig.Reward primary = config.primaryReward();
        List<String> labels = new ArrayList<>();
        List<ScoreRecord> main = new ArrayList<>();
        addBase(config, scores, labels, main);
        for (ExperimentConfig.Method m : config.methods()) {
            addRow(m.label(), runsOf(runs, m, primary), scores, labels, main);
        }
        List<String> setNames = sets.stream().map(PromptFile::name).toList();
        List<ScoreTables.Entry> tables = ScoreTables.build(main, labels, infos, setNames);
        String cells = "Cells: mean ± standard error (N images); with several seeds the mean and SE are over the seeds' "
                + "means (the seed is the unit). Bold: best of the column. Trained on " + primary.id() + ".";
        String[] titles = {"Table 2: methods on the training prompts", "Table 3: methods on unseen prompts"};
        for (int i = 0; i < Math.min(2, setNames.size()); i++) {
            String set = setNames.get(i);
            Section.Builder s = Section.builder(titles[i] + " (" + set + ")").paragraph(cells)
                    .table("table" + (i + 2), "Method x evaluation reward on " + set,
                            ScoreTables.find(tables, set, ScoreTables.Pooling.SEEDS).orElseThrow());
            Optional<Table> change = ScoreTables.find(tables, set, ScoreTables.Pooling.CHANGE);
            if (change.isPresent()) {
                s.paragraph("The change of each method against the base model, image by image on the same noise "
                        + "(prompt, image index and seed), pooled the same way: pairing removes the spread between "
                        + "prompts and noises, so this is the sensitive comparison.")
                        .table("table" + (i + 2) + "-change", "Change against the base model on " + set, change.get());
            }
            report.section(s.build());
        }

        // Table 4: training reward x eval reward, per method
        if (config.rewards().size() > 1) {
            Section.Builder s = Section.builder("Table 4: reward generalization (training reward x evaluation reward)")
                    .paragraph("Rows: the reward a method was trained on; columns: the rewards it is evaluated with, on "
                            + setNames.get(0) + ". " + cells.substring(0, cells.indexOf(" Trained on")));
            for (ExperimentConfig.Method m : config.methods()) {
                if (runs.stream().noneMatch(spec -> spec.method().equals(m))) {
                    continue; // left out of this report: no finished run
                }
                List<String> rows = new ArrayList<>();
                List<ScoreRecord> records = new ArrayList<>();
                addBase(config, scores, rows, records);
                for (TrainConfig.Reward r : config.rewards()) {
                    addRow("trained on " + r.id(), runsOf(runs, m, r), scores, rows, records);
                }
                Table t = ScoreTables.build(records, rows, infos, List.of(setNames.get(0))).get(0).table();
                s.table("table4-" + fileSafe(m.label()), m.label() + ": training reward x evaluation reward", t);
            }
            report.section(s.build());
        }

        // Fig. 4: training reward over samples
        Section.Builder curves = Section.builder("Fig. 4: reward during training")
                .paragraph("reward_mean of each iteration's rollouts (metrics.jsonl) against training samples: the mean "
                        + "over seeds, the band from the lowest to the highest seed.");
        for (TrainConfig.Reward r : config.rewards()) {
            List<Curve> list = new ArrayList<>();
            for (ExperimentConfig.Method m : config.methods()) {
                Curve c = curve(experiment, runs, m, r);
                if (c != null) {
                    list.add(c);
                }
            }
            if (!list.isEmpty()) {
                Chart chart = LineChart.of("Training reward " + r.id(), "training samples", r.id() + " (rollout mean)", list);
                curves.chart("fig4-" + fileSafe(r.id()), "Reward curves, trained on " + r.id(), chart);
            }
        }
        report.section(curves.build());

        if (guidance == null) {
            report.section(Section.builder("Table 1: guidance sanity check (base model)")
                    .paragraph("Not run: the training reward " + primary.id() + " is not differentiable.").build());
        } else if (!guidance.isEmpty()) {
            report.section(guidanceSection(config, guidance).build());
        }
        if (!order.isEmpty()) {
            report.section(orderSection(config, order).build());
        }
        report.section(grids(experiment, sets, runs).build());
        return new Content(report.build(), tables);
    }

    /** The runs of one method and training reward, in seed order. */
    private static List<Experiment.RunSpec> runsOf(List<Experiment.RunSpec> runs, ExperimentConfig.Method m,
                                                   TrainConfig.Reward r) {
        return runs.stream().filter(spec -> spec.method().equals(m) && spec.reward().equals(r)).toList();
    }

    private static Section.Builder setup(Experiment experiment, List<PromptFile> sets, List<Experiment.RunSpec> runs) {
        ExperimentConfig c = experiment.config();
        TrainConfig t = c.train();
        StringBuilder methods = new StringBuilder();
        for (ExperimentConfig.Method m : c.methods()) {
            methods.append(methods.length() == 0 ? "" : "; ").append(m.label()).append(" (").append(m.method())
                    .append(m.settings().isEmpty() ? "" : " " + m.settings()).append(')');
        }
        String text = String.format(Locale.ROOT, "Base model %s, training prompts %s; %d DDIM steps, eta %s, guidance %s; "
                        + "LoRA rank %d. Methods: %s. Training rewards: %s. Seeds: %s. Budget: %d samples per run, %d "
                        + "prompts per iteration, %d updates per iteration; %d runs in %s.",
                t.model(), t.prompts(), t.sampling().steps(), t.sampling().eta(), t.sampling().guidanceScale(),
                t.lora().rank(), methods, String.join(", ", c.rewards().stream().map(TrainConfig.Reward::id).toList()),
                c.seeds(), t.engine().sampleBudget(), t.engine().promptsPerIteration(), t.engine().updatesPerIteration(),
                // relative to the experiment folder, where the report lives: a copy elsewhere stays true
                runs.size(), experiment.dir().relativize(experiment.runsDir()));
        List<String> leftOut = experiment.runs().stream().filter(spec -> !runs.contains(spec))
                .map(Experiment.RunSpec::name).toList();
        if (!leftOut.isEmpty()) {
            text += " Not finished, so left out of every table and figure: " + String.join(", ", leftOut) + ".";
        }
        ExperimentConfig.Evaluation e = c.evaluation();
        StringBuilder ps = new StringBuilder();
        for (PromptFile p : sets) {
            ps.append(ps.length() == 0 ? "" : ", ").append(p.name()).append(" (").append(p.prompts().size())
                    .append(p.prompts().size() == 1 ? " prompt)" : " prompts)");
        }
        String eval = String.format(Locale.ROOT, "Evaluation: %d images per prompt on %s, noise seed %d (the same noise "
                + "for every model); rewards %s.", e.imagesPerPrompt(), ps, e.seed(), String.join(", ", e.rewards()));
        return Section.builder("Setup").paragraph(text).paragraph(eval);
    }

    private static Curve curve(Experiment experiment, List<Experiment.RunSpec> runs, ExperimentConfig.Method m,
                               TrainConfig.Reward r) {
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (Experiment.RunSpec spec : runsOf(runs, m, r)) {
            List<Map<String, Object>> metrics = MetricsLog.read(experiment.runsDir().resolve(spec.name()).resolve("metrics.jsonl"));
            double[] x = new double[metrics.size()];
            double[] y = new double[metrics.size()];
            for (int i = 0; i < metrics.size(); i++) {
                x[i] = ((Number) metrics.get(i).get("samples")).doubleValue();
                y[i] = ((Number) metrics.get(i).get("reward_mean")).doubleValue();
            }
            xs.add(x);
            ys.add(y);
        }
        int n = ys.stream().mapToInt(a -> a.length).min().orElse(0);
        if (n == 0) {
            return null;
        }
        List<double[]> cut = new ArrayList<>();
        ys.forEach(y -> cut.add(java.util.Arrays.copyOf(y, n)));
        return Curve.overRuns(m.label(), java.util.Arrays.copyOf(xs.get(0), n), cut, Spread.MIN_MAX);
    }

    private static Section.Builder guidanceSection(ExperimentConfig c, List<GuidanceCheck.StepResult> results) {
        ExperimentConfig.Guidance g = c.analyses().guidance();
        int steps = c.train().sampling().steps();
        Table.Builder t = Table.builder("t (of " + steps + ")", Column.of("step index"), Column.of("timestep"),
                Column.of("rises under x+"), Column.of("falls under x-"));
        for (GuidanceCheck.StepResult r : results) {
            t.row(Integer.toString(steps - r.stepIndex()), Cell.text(Integer.toString(r.stepIndex())),
                    Cell.text(Integer.toString(r.timestep())), Cell.of(new Proportion(r.rises(), r.samples())),
                    Cell.of(new Proportion(r.falls(), r.samples())));
        }
        return Section.builder("Table 1: guidance sanity check (base model)")
                .paragraph(String.format(Locale.ROOT, "For %d noisy samples at each step of the base model on the "
                        + "training prompts, the fraction whose step-wise %s reward rises under x+ = x + 2 eta delta "
                        + "grad r(x) and falls under x- (eta %s, delta %s), with Wilson 95%% intervals. Paper (SD 1.5, "
                        + "t = 20..4): rises 0.83, 0.97, 0.98, 0.99, 0.99; falls 0.87, 0.98, 1.00, 0.98, 1.00.",
                        g.n(), c.primaryReward().id(), g.eta(), g.delta()))
                .table("table1", "Guidance check", t.build());
    }

    private static Section.Builder orderSection(ExperimentConfig c, List<OrderConsistency.StepResult> results) {
        int steps = c.train().sampling().steps();
        Table.Builder t = Table.builder("t (of " + steps + ")", Column.of("step index"), Column.of("timestep"),
                Column.of("agreement with final order"));
        double[] x = new double[results.size()];
        List<Proportion> ps = new ArrayList<>();
        int ties = 0;
        List<Double> xs = new ArrayList<>();
        for (OrderConsistency.StepResult r : results) {
            ties = r.ties();
            Cell cell = r.pairs() == 0 ? Cell.text("n/a") : Cell.of(new Proportion(r.agreements(), r.pairs()));
            t.row(Integer.toString(steps - r.stepIndex()), Cell.text(Integer.toString(r.stepIndex())),
                    Cell.text(Integer.toString(r.timestep())), cell);
            if (r.pairs() > 0) {
                xs.add((double) (r.stepIndex() + 1));
                ps.add(new Proportion(r.agreements(), r.pairs()));
            }
        }
        Section.Builder s = Section.builder("Fig. 2: preference-order consistency (base model)")
                .paragraph(String.format(Locale.ROOT, "Pairs of trajectories from the same x_T with independent step "
                        + "noise (as D3PO samples them), %d pairs on the training prompts (%d left out: equal final "
                        + "rewards). At each step, how often the order of the two states by the step-wise %s reward "
                        + "agrees with the order of their final rewards (Wilson 95%% intervals). D3PO labels every step "
                        + "by the final order; where agreement is near 0.5 that label is noise.",
                        c.analyses().orderConsistency().pairs(), ties, c.primaryReward().id()))
                .table("fig2-table", "Order agreement per step", t.build());
        if (!ps.isEmpty()) {
            x = xs.stream().mapToDouble(Double::doubleValue).toArray();
            s.chart("fig2", "Agreement of step-wise and final order", LineChart.of("Order consistency",
                    "denoising steps done", "agreement rate", List.of(Curve.ofProportions("agreement", x, ps))));
        }
        return s;
    }

    private static Section.Builder grids(Experiment experiment, List<PromptFile> sets, List<Experiment.RunSpec> runs) {
        ExperimentConfig c = experiment.config();
        Section.Builder s = Section.builder("Samples")
                .paragraph("Image 0 of the first prompts of each set, a row per model (the first seed, trained on "
                        + c.primaryReward().id() + "); every column starts from the same noise, so rows differ by the "
                        + "weights alone.");
        int k = c.evaluation().gridPrompts();
        for (PromptFile set : sets) {
            List<String> columns = set.prompts().subList(0, Math.min(k, set.prompts().size()));
            if (columns.isEmpty()) {
                continue;
            }
            ImageGrid.Builder b = ImageGrid.builder(columns);
            int rows = 0;
            if (c.evaluation().includeBase()) {
                rows += row(b, EvalModel.BASE, experiment.dir().resolve("eval").resolve(Experiment.BASE_KEY), set, columns.size());
            }
            for (ExperimentConfig.Method m : c.methods()) {
                for (Experiment.RunSpec r : runsOf(runs, m, c.primaryReward())) {
                    if (r.seedIndex() == 0) {
                        rows += row(b, m.label(), experiment.dir().resolve("eval").resolve(r.name()), set, columns.size());
                    }
                }
            }
            if (rows > 0) {
                s.image("grid-" + fileSafe(set.name()), "Samples on " + set.name(), b.build().render());
            }
        }
        return s;
    }

    private static int row(ImageGrid.Builder b, String label, Path folder, PromptFile set, int n) {
        List<BufferedImage> images = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            Path f = Experiment.gridImage(folder, set.name(), p);
            if (!Files.exists(f)) {
                return 0;
            }
            try {
                images.add(ImageIO.read(f.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        b.row(label, images);
        return 1;
    }

    private static List<ScoreRecord> relabel(List<ScoreRecord> records, String label, int run) {
        List<ScoreRecord> out = new ArrayList<>(records.size());
        for (ScoreRecord r : records) {
            out.add(new ScoreRecord(label, run, r.checkpoint(), r.promptSet(), r.promptIndex(), r.prompt(), r.image(),
                    r.seed(), r.reward(), r.score()));
        }
        return out;
    }

    private static String fileSafe(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    }

    /** Writes the HTML page and the Markdown report (with report-files/), replacing earlier ones. */
    /** The base model's row and scores, when the experiment evaluates it. */
    private static void addBase(ExperimentConfig config, Map<String, List<ScoreRecord>> scores, List<String> rows,
                                List<ScoreRecord> records) {
        if (config.evaluation().includeBase()) {
            rows.add(EvalModel.BASE);
            records.addAll(scores.get(Experiment.BASE_KEY));
        }
    }

    /** A row {@code label} pooling {@code trained}'s scores (the seed index is the run), if there are any. */
    private static void addRow(String label, List<Experiment.RunSpec> trained, Map<String, List<ScoreRecord>> scores,
                               List<String> rows, List<ScoreRecord> records) {
        if (!trained.isEmpty()) {
            rows.add(label);
        }
        for (Experiment.RunSpec spec : trained) {
            records.addAll(relabel(scores.get(spec.name()), label, spec.seedIndex()));
        }
    }

    static void write(Content content, Path html, Path markdown) {
        HtmlReport.write(content.report(), html, IfExists.REPLACE);
        MarkdownReport.write(content.report(), markdown, IfExists.REPLACE);
    }
}
