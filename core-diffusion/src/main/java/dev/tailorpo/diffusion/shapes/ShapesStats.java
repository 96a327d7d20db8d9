package dev.tailorpo.diffusion.shapes;

import java.util.Locale;

/**
 * Measures the sampled world as docs/SHAPES.md reports it: the rating histogram, mean and standard
 * deviation, how often each defect occurs, and single-thread sampling speed.
 * {@code ShapesStats [samples] [seed]} (defaults 100000 and 0) prints Markdown.
 */
public final class ShapesStats {
    private ShapesStats() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 0;
        ShapesDataset data = new ShapesDataset(seed);
        int[] bins = new int[9];
        double sum = 0;
        double sumSq = 0;
        int[] defects = new int[5]; // blurred, noisy, faded, clipped, off-centre by more than 0.1
        int flawless = 0;
        for (int i = 0; i < n; i++) {
            ShapesSample s = data.get(i);
            double r = s.rating();
            sum += r;
            sumSq += r * r;
            bins[Math.min(8, (int) (r - 1))]++;
            RenderParams p = s.params();
            boolean[] has = {p.blurSigma() > 0, p.noiseStd() > 0, p.fade() > 0,
                QualityRating.scores(p, s.prompt().shape()).unclipped() < 0.995, p.offCentre() > 0.1};
            boolean any = false;
            for (int d = 0; d < has.length; d++) {
                defects[d] += has[d] ? 1 : 0;
                any |= has[d];
            }
            flawless += any ? 0 : 1;
        }
        double mean = sum / n;
        System.out.printf(Locale.ROOT, "%d samples of ShapesDataset(seed %d): rating mean %.2f, std %.2f%n%n", n, seed,
                mean, Math.sqrt(sumSq / n - mean * mean));
        System.out.println("| rating | share | |\n| --- | --- | --- |");
        for (int b = 0; b < bins.length; b++) {
            double share = (double) bins[b] / n;
            System.out.printf(Locale.ROOT, "| %d-%d | %.1f%% | %s |%n", b + 1, b + 2, 100 * share,
                    "#".repeat((int) Math.round(100 * share)));
        }
        String[] names = {"blurred", "noisy", "faded", "clipped (over 0.5% outside)", "off-centre by over 0.1"};
        System.out.println();
        for (int d = 0; d < names.length; d++) {
            System.out.printf(Locale.ROOT, "- %s: %.1f%%%n", names[d], 100.0 * defects[d] / n);
        }
        System.out.printf(Locale.ROOT, "- none of these: %.1f%%%n%n", 100.0 * flawless / n);

        int warm = Math.min(n, 20_000);
        long t0 = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < warm; i++) {
            sink += data.get(n + i).image()[0];
        }
        double perSecond = warm / ((System.nanoTime() - t0) / 1e9);
        // printing the checksum keeps the JIT from dropping the renders
        System.out.printf(Locale.ROOT, "single-thread ShapesDataset.get (sample, render, rate): %.0f samples/s "
                + "(checksum %.1f)%n", perSecond, sink);
    }
}
