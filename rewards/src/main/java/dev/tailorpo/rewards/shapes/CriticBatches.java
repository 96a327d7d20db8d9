package dev.tailorpo.rewards.shapes;

import dev.tailorpo.diffusion.shapes.QualityRating;
import dev.tailorpo.diffusion.shapes.RenderParams;
import dev.tailorpo.diffusion.shapes.ShapePrompt;
import dev.tailorpo.diffusion.shapes.ShapesDataset;
import dev.tailorpo.diffusion.shapes.ShapesRenderer;
import dev.tailorpo.diffusion.shapes.ShapesSample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders the critics' training and evaluation batches on a small thread pool. Sample {@code i} of a
 * batch stream is a pure function of (dataset seed, augmentation seed, i), so the batches are the
 * same whatever the number of threads and whichever thread renders what; no torch code runs here.
 *
 * <p>Augmentation (training only), each change keeping the label exact:
 * <ul>
 *   <li>alignment: with probability {@value #P_EXTRA_NOISE}, extra Gaussian pixel noise with a
 *       standard deviation uniform in [0, {@value #MAX_EXTRA_NOISE}], clamped to [0, 1] (the
 *       attributes do not change; it makes the classifier less sensitive to the pixel-level noise
 *       that a small diffusion model leaves);</li>
 *   <li>aesthetic: with probability {@value #P_OFF_CANVAS}, the shape is moved to a centre uniform
 *       in [{@value #OFF_CANVAS_MIN}, {@value #OFF_CANVAS_MAX}]^2, often mostly or wholly off the
 *       canvas, and re-rendered and re-rated by {@link QualityRating} (mostly 1). The sampler never
 *       loses more than about half the shape, so without this the critic would never have seen an
 *       empty canvas, the cheapest image for a fine-tuned generator to fall into. Pixel noise cannot
 *       be added here: noise is one of the rated defects.</li>
 * </ul>
 */
final class CriticBatches implements AutoCloseable {
    static final double P_EXTRA_NOISE = 0.5;
    static final double MAX_EXTRA_NOISE = 0.06;
    static final double P_OFF_CANVAS = 0.05;
    static final double OFF_CANVAS_MIN = -0.35;
    static final double OFF_CANVAS_MAX = 1.35;

    /** A rendered batch: CHW images back to back, the ratings and the attribute classes. */
    record Batch(float[] images, float[] ratings, int[][] targets) {
        int size() {
            return ratings.length;
        }
    }

    private final CriticKind kind;
    private final ShapesDataset data;
    private final boolean augment;
    private final long augmentSeed;
    private final int threads;
    private final ExecutorService pool;

    CriticBatches(CriticKind kind, ShapesDataset data, boolean augment, long augmentSeed, int threads) {
        this.kind = kind;
        this.data = data;
        this.augment = augment;
        this.augmentSeed = augmentSeed;
        this.threads = Math.max(1, threads);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "critic-render-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    ShapesDataset dataset() {
        return data;
    }

    /** Starts rendering samples {@code first .. first + count - 1}. */
    CompletableFuture<Batch> submit(long first, int count) {
        Batch b = new Batch(new float[count * ShapesRenderer.VALUES], new float[count], new int[count][]);
        int per = (count + threads - 1) / threads;
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int from = 0; from < count; from += per) {
            int lo = from;
            int hi = Math.min(count, from + per);
            parts.add(CompletableFuture.runAsync(() -> {
                for (int j = lo; j < hi; j++) {
                    fill(b, j, first + j);
                }
            }, pool));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> b);
    }

    /** Renders samples {@code first .. first + count - 1} and waits for them. */
    Batch render(long first, int count) {
        return submit(first, count).join();
    }

    private void fill(Batch b, int slot, long index) {
        ShapesSample s = data.get(index);
        float[] image = s.image();
        double rating = s.rating();
        if (augment) {
            SplittableRandom r = new SplittableRandom(ShapesDataset.sampleSeed(augmentSeed, index));
            if (kind == CriticKind.ALIGNMENT && r.nextDouble() < P_EXTRA_NOISE) {
                addNoise(image, MAX_EXTRA_NOISE * r.nextDouble(), r);
            } else if (kind == CriticKind.AESTHETIC && r.nextDouble() < P_OFF_CANVAS) {
                ShapePrompt prompt = s.prompt();
                RenderParams moved = s.params().withCentre(uniform(r), uniform(r));
                image = ShapesRenderer.render(prompt, moved);
                rating = QualityRating.of(moved, prompt.shape());
            }
        }
        System.arraycopy(image, 0, b.images(), slot * ShapesRenderer.VALUES, ShapesRenderer.VALUES);
        b.ratings()[slot] = (float) rating;
        b.targets()[slot] = s.attributes();
    }

    private static double uniform(SplittableRandom r) {
        return OFF_CANVAS_MIN + (OFF_CANVAS_MAX - OFF_CANVAS_MIN) * r.nextDouble();
    }

    /** Adds N(0, std^2) to every value and clamps to [0, 1]. */
    static void addNoise(float[] image, double std, SplittableRandom r) {
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) Math.max(0, Math.min(1, image[i] + std * r.nextGaussian()));
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
