package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewards of one method over several training seeds, pooled the two ways papers do.
 *
 * <ul>
 *   <li>Seed as the unit ({@link #seedMeans()}): each seed's mean over its images, then the mean and
 *       standard error of those per-seed means. This is the honest error bar for "how good is the
 *       method": the images of one run share its weights, so they are not independent draws of the
 *       method, and their count says nothing about run-to-run variation.</li>
 *   <li>All images in one sample ({@link #allImages()}): what a single-run paper reports; kept for
 *       comparison and for plots of the image-level spread.</li>
 * </ul>
 *
 * <p><b>What the tables show</b> ({@link #estimate()}): with two or more seeds, the mean of the
 * per-seed means with its standard error across seeds and N = all images (seeds x images); with one
 * seed, the mean and standard error over that seed's images. With equal image counts per seed both
 * means are the same number; only the error bar differs.
 */
public final class SeedPooled {
    private final List<Summary> perSeed;
    private final Summary allImages;

    private SeedPooled(List<Summary> perSeed, Summary allImages) {
        this.perSeed = List.copyOf(perSeed);
        this.allImages = allImages;
    }

    /** Pools the rewards of each seed's images ({@code perSeed.get(s)} holds seed s's rewards). */
    public static SeedPooled of(List<double[]> perSeed) {
        if (perSeed.isEmpty()) {
            throw new InvalidInputException("cannot pool zero seeds");
        }
        List<Summary> summaries = new ArrayList<>();
        double[] all = new double[perSeed.stream().mapToInt(a -> a.length).sum()];
        int at = 0;
        for (int s = 0; s < perSeed.size(); s++) {
            double[] values = perSeed.get(s);
            if (values.length == 0) {
                throw new InvalidInputException("seed " + s + " has no images to pool");
            }
            summaries.add(Summary.of(values));
            System.arraycopy(values, 0, all, at, values.length);
            at += values.length;
        }
        return new SeedPooled(summaries, Summary.of(all));
    }

    /** Pools seeds given as arrays, e.g. {@code SeedPooled.of(seed0, seed1, seed2)}. */
    public static SeedPooled of(double[]... perSeed) {
        return of(Arrays.asList(perSeed));
    }

    public int seeds() {
        return perSeed.size();
    }

    /** The number of images over all seeds. */
    public int images() {
        return allImages.n();
    }

    /** Each seed's summary over its own images, in the order given. */
    public List<Summary> perSeed() {
        return perSeed;
    }

    /** The summary of the per-seed means: the seed is the unit (n = seeds). */
    public Summary seedMeans() {
        return Summary.of(perSeed.stream().mapToDouble(Summary::mean).toArray());
    }

    /** All images of all seeds as one sample (n = images). */
    public Summary allImages() {
        return allImages;
    }

    /**
     * What a table reports: across seeds when there are at least two (mean of seed means, SE of the
     * seed means, N = images, seeds), otherwise over the single seed's images.
     */
    public Estimate estimate() {
        if (seeds() < 2) {
            return allImages.estimate();
        }
        Summary means = seedMeans();
        return new Estimate(means.mean(), means.se(), images(), seeds());
    }
}
