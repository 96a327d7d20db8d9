package dev.tailorpo.rewards.shapes;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.optim.AdamW;
import dev.tailorpo.diffusion.optim.AdamWConfig;
import dev.tailorpo.diffusion.optim.Gradients;
import dev.tailorpo.diffusion.shapes.ShapesDataset;
import dev.tailorpo.diffusion.shapes.ShapesRenderer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Trains a shapes-world critic from scratch on renders made on the fly and writes it as a
 * {@link CriticModel} folder.
 *
 * <ul>
 *   <li>Data: batch {@code k} is samples {@code k*B .. k*B+B-1} of {@code ShapesDataset(seed)} over
 *       all 324 prompts, rendered on a small pool while the previous batch trains, then augmented
 *       as {@link CriticBatches} describes.</li>
 *   <li>Loss: aesthetic, the mean squared error of the {@link RatingHead} rating against the
 *       {@code QualityRating}; alignment, minus the mean over the batch of
 *       {@link AttributeHeads#meanLogProb} (the four cross-entropies averaged).</li>
 *   <li>Optimizer: AdamW (PyTorch's update) with a linear warm-up and a half-cosine decay to 0,
 *       global gradient norm clipped.</li>
 *   <li>Memory: each step runs in its own sub-manager, so the native footprint stays flat; the
 *       progress lines show the process's resident set size to prove it.</li>
 *   <li>Evaluation: {@link CriticEvaluation} on renders of the held-out dataset seed.</li>
 * </ul>
 *
 * Deterministic on a CPU for given settings (the data is a function of the indices, the
 * initialisation of the seed; torch's CPU kernels are deterministic here).
 */
public final class ShapesRewardTraining {
    private ShapesRewardTraining() {}

    /** What a run produced. */
    public record Result(CriticTrainingSettings settings, long parameters, double trainSeconds, double evalSeconds,
                         double finalLoss, Map<String, Double> metrics, Path folder) {}

    /**
     * Trains, evaluates and writes the model to {@code out}.
     *
     * @param replace whether an existing model folder at {@code out} may be replaced
     * @param progress where the progress lines go
     */
    public static Result run(CriticTrainingSettings s, Path out, boolean replace, Device device, PrintStream progress) {
        if (Files.exists(out) && !replace) {
            throw new TailorException("model folder " + out + " already exists; not replacing it");
        }
        CriticKind kind = s.kind();
        CriticNet net = new CriticNet(s.criticConfig());
        try (NDManager root = NDManager.newBaseManager(device);
             CriticBatches batches = new CriticBatches(kind, new ShapesDataset(s.seed()), true, s.seed() ^ 0x5EEDL,
                     s.renderThreads())) {
            net.initialize(root, s.seed());
            net.setTrainable(true);
            Map<String, Param> params = net.namedParameters();
            Collection<Param> trainable = params.values();
            AdamW optimizer = new AdamW(params, AdamWConfig.paper(s.lr()), root);
            progress.printf(Locale.ROOT, "training %s critic: %,d parameters, channels %s, %d steps of batch %d, "
                            + "peak lr %.2g, data seed %d, held-out seed %d%n",
                    kind.word(), net.parameterCount(), s.channels(), s.steps(), s.batch(), s.lr(), s.seed(), s.evalSeed());
            progress.printf(Locale.ROOT, "rss at start %s%n", rss());

            long start = System.nanoTime();
            long windowStart = start;
            double windowLoss = 0;
            int windowSteps = 0;
            double lastLoss = Double.NaN;
            CompletableFuture<CriticBatches.Batch> next = batches.submit(0, s.batch());
            for (int step = 0; step < s.steps(); step++) {
                CriticBatches.Batch b = next.join();
                if (step + 1 < s.steps()) {
                    next = batches.submit((long) (step + 1) * s.batch(), s.batch());
                }
                optimizer.setConfig(AdamWConfig.paper(s.lrAt(step)));
                float loss;
                try (NDManager sm = root.newSubManager()) {
                    NDArray x = sm.create(b.images(), new Shape(b.size(), 3, ShapesRenderer.SIZE, ShapesRenderer.SIZE));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = loss(kind, net.forward(x), b, sm);
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    Gradients.clipGlobalNorm(trainable, s.clipNorm(), sm);
                    optimizer.step();
                }
                if (!Float.isFinite(loss)) {
                    throw new TailorException("training diverged: loss " + loss + " at step " + (step + 1)
                            + "; try a smaller --lr");
                }
                windowLoss += loss;
                windowSteps++;
                if ((step + 1) % s.logEvery() == 0 || step + 1 == s.steps()) {
                    long now = System.nanoTime();
                    double perStep = (now - windowStart) / 1e9 / windowSteps;
                    lastLoss = windowLoss / windowSteps;
                    double elapsed = (now - start) / 1e9;
                    progress.printf(Locale.ROOT, "step %6d/%d  loss %.4f  lr %.2e  %.3f s/step  elapsed %s  eta %s  rss %s%n",
                            step + 1, s.steps(), lastLoss, s.lrAt(step), perStep, duration(elapsed),
                            duration(perStep * (s.steps() - step - 1)), rss());
                    windowStart = now;
                    windowLoss = 0;
                    windowSteps = 0;
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;

            net.setTrainable(false);
            long evalStart = System.nanoTime();
            Map<String, Double> metrics = CriticEvaluation.evaluate(net, kind, s.evalSeed(), s.evalSamples(), root,
                    s.renderThreads());
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            progress.printf(Locale.ROOT, "trained in %s; held-out evaluation on %d renders of ShapesDataset(%d) "
                    + "(%.1f s):%n%s", duration(trainSeconds), s.evalSamples(), s.evalSeed(), evalSeconds,
                    CriticEvaluation.format(metrics));

            Result result = new Result(s, net.parameterCount(), trainSeconds, evalSeconds, lastLoss, metrics, out);
            CriticModel.save(out, kind, net, provenance(result), replace);
            progress.printf(Locale.ROOT, "wrote %s%n", out);
            return result;
        }
    }

    /** The training loss of a batch (a scalar in {@code sm}, keeping the graph). */
    static NDArray loss(CriticKind kind, NDArray outputs, CriticBatches.Batch b, NDManager sm) {
        if (kind == CriticKind.AESTHETIC) {
            return RatingHead.rating(outputs).sub(sm.create(b.ratings())).square().mean();
        }
        return AttributeHeads.meanLogProb(outputs, b.targets()).mean().neg();
    }

    /** The {@code training} section of the model's config.json. */
    static Map<String, Object> provenance(Result r) {
        CriticTrainingSettings s = r.settings();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("command", "tailor train-reward --kind " + s.kind().word() + " --steps " + s.steps() + " --batch "
                + s.batch() + " --seed " + s.seed() + " --eval-samples " + s.evalSamples());
        t.put("seed", s.seed());
        t.put("data", "ShapesDataset(" + s.seed() + "), all prompts, samples 0.." + ((long) s.steps() * s.batch() - 1));
        t.put("data_seed", s.seed());
        t.put("steps", s.steps());
        t.put("batch", s.batch());
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("name", "AdamW");
        AdamWConfig c = AdamWConfig.paper(s.lr());
        opt.put("lr", s.lr());
        opt.put("betas", new double[] {c.beta1(), c.beta2()});
        opt.put("eps", c.eps());
        opt.put("weight_decay", c.weightDecay());
        opt.put("schedule", "linear warm-up over " + s.warmupSteps() + " steps, then half-cosine to 0");
        opt.put("clip_grad_norm", s.clipNorm());
        t.put("optimizer", opt);
        t.put("augmentation", s.kind() == CriticKind.ALIGNMENT
                ? "p=" + CriticBatches.P_EXTRA_NOISE + ": extra Gaussian pixel noise, std U[0, " + CriticBatches.MAX_EXTRA_NOISE + "], clamped"
                : "p=" + CriticBatches.P_OFF_CANVAS + ": centre moved to U[" + CriticBatches.OFF_CANVAS_MIN + ", "
                        + CriticBatches.OFF_CANVAS_MAX + "]^2, re-rendered and re-rated");
        t.put("final_loss", r.finalLoss());
        t.put("train_seconds", Math.round(r.trainSeconds()));
        Map<String, Object> eval = new LinkedHashMap<>();
        eval.put("data_seed", s.evalSeed());
        eval.put("samples", s.evalSamples());
        eval.put("metrics", r.metrics());
        t.put("evaluation", eval);
        return t;
    }

    /** The resident set size of this process from /proc, or "n/a" where there is none. */
    static String rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return (kb / 1024) + " MiB";
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "n/a";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }
}
