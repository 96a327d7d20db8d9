package dev.tailorpo.rewards.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.shapes.Attribute;
import dev.tailorpo.diffusion.shapes.ShapesDataset;
import dev.tailorpo.diffusion.shapes.ShapesRenderer;
import dev.tailorpo.diffusion.shapes.ShapesSample;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Held-out metrics of a critic on renders of {@code ShapesDataset(evalSeed)} (not augmented).
 * Aesthetic: Pearson correlation between predicted and true rating, RMSE and mean absolute error,
 * and the mean score of empty canvases (the first {@value #CHUNK} renders with the shape moved
 * out of sight; their rating is 1), the degenerate image a fine-tuned generator could drift to.
 * Alignment: accuracy per attribute, the fraction of images with all four right, and the same
 * fraction again after adding Gaussian pixel noise of std {@value #NOISE_PROBE} (a robustness probe).
 */
public final class CriticEvaluation {
    private CriticEvaluation() {}

    static final int CHUNK = 250;
    static final double NOISE_PROBE = 0.05;

    /** Evaluates {@code net} (frozen, so no graph is recorded) on {@code samples} held-out renders. */
    public static Map<String, Double> evaluate(CriticNet net, CriticKind kind, long evalSeed, int samples,
                                               NDManager manager, int threads) {
        try (CriticBatches batches = new CriticBatches(kind, new ShapesDataset(evalSeed), false, 0, threads)) {
            return kind == CriticKind.AESTHETIC
                    ? aesthetic(net, batches, samples, manager)
                    : alignment(net, batches, samples, manager, evalSeed);
        }
    }

    private static Map<String, Double> aesthetic(CriticNet net, CriticBatches batches, int samples, NDManager manager) {
        double[] truth = new double[samples];
        double[] pred = new double[samples];
        for (int from = 0; from < samples; from += CHUNK) {
            int n = Math.min(CHUNK, samples - from);
            CriticBatches.Batch b = batches.render(from, n);
            try (NDManager sm = manager.newSubManager()) {
                NDArray x = sm.create(b.images(), new Shape(n, 3, ShapesRenderer.SIZE, ShapesRenderer.SIZE));
                float[] r = RatingHead.rating(net.forward(x)).toFloatArray();
                for (int i = 0; i < n; i++) {
                    truth[from + i] = b.ratings()[i];
                    pred[from + i] = r[i];
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("pearson", pearson(pred, truth));
        double se = 0;
        double ae = 0;
        for (int i = 0; i < samples; i++) {
            se += (pred[i] - truth[i]) * (pred[i] - truth[i]);
            ae += Math.abs(pred[i] - truth[i]);
        }
        m.put("rmse", Math.sqrt(se / samples));
        m.put("mae", ae / samples);
        m.put("empty_canvas_mean_score", emptyCanvasScore(net, batches, Math.min(CHUNK, samples), manager));
        return m;
    }

    private static double emptyCanvasScore(CriticNet net, CriticBatches batches, int n, NDManager manager) {
        float[] images = new float[n * ShapesRenderer.VALUES];
        for (int i = 0; i < n; i++) {
            ShapesSample s = batches.dataset().get(i);
            float[] empty = ShapesRenderer.render(s.prompt(), s.params().withCentre(-2, -2));
            System.arraycopy(empty, 0, images, i * ShapesRenderer.VALUES, ShapesRenderer.VALUES);
        }
        try (NDManager sm = manager.newSubManager()) {
            NDArray x = sm.create(images, new Shape(n, 3, ShapesRenderer.SIZE, ShapesRenderer.SIZE));
            return RatingHead.rating(net.forward(x)).mean().getFloat();
        }
    }

    private static Map<String, Double> alignment(CriticNet net, CriticBatches batches, int samples, NDManager manager,
                                                 long evalSeed) {
        Attribute[] attrs = Attribute.values();
        int[] right = new int[attrs.length];
        int allRight = 0;
        int allRightNoisy = 0;
        double logProb = 0;
        for (int from = 0; from < samples; from += CHUNK) {
            int n = Math.min(CHUNK, samples - from);
            CriticBatches.Batch b = batches.render(from, n);
            try (NDManager sm = manager.newSubManager()) {
                Shape shape = new Shape(n, 3, ShapesRenderer.SIZE, ShapesRenderer.SIZE);
                NDArray logits = net.forward(sm.create(b.images(), shape));
                int[][] p = AttributeHeads.predictions(logits);
                logProb += AttributeHeads.meanLogProb(logits, b.targets()).sum().getFloat();
                float[] noisy = b.images().clone();
                CriticBatches.addNoise(noisy, NOISE_PROBE, new SplittableRandom(ShapesDataset.sampleSeed(evalSeed, -from - 1)));
                int[][] q = AttributeHeads.predictions(net.forward(sm.create(noisy, shape)));
                for (int i = 0; i < n; i++) {
                    boolean all = true;
                    for (int k = 0; k < attrs.length; k++) {
                        if (p[i][k] == b.targets()[i][k]) {
                            right[k]++;
                        } else {
                            all = false;
                        }
                    }
                    allRight += all ? 1 : 0;
                    allRightNoisy += java.util.Arrays.equals(q[i], b.targets()[i]) ? 1 : 0;
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < attrs.length; k++) {
            m.put("accuracy_" + attrs[k].name().toLowerCase(Locale.ROOT), (double) right[k] / samples);
        }
        m.put("accuracy_all_four", (double) allRight / samples);
        m.put("accuracy_all_four_noise_" + NOISE_PROBE, (double) allRightNoisy / samples);
        m.put("mean_reward", logProb / samples);
        return m;
    }

    /** Pearson's correlation coefficient. */
    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** One line per metric, {@code name value}, for printing. */
    public static String format(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-34s %.4f%n", k, v)));
        return sb.toString();
    }
}
