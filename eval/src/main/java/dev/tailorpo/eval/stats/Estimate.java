package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

/**
 * One reported number: a mean, its standard error, how many images it stands on and over how
 * many training seeds. It is what a table cell shows and what {@link WelchTest} compares.
 *
 * <p>The standard error was computed over seeds when {@code seeds >= 2} and over images otherwise
 * (see {@link SeedPooled}); {@link #degreesOfFreedom()} follows the same rule.
 *
 * @param mean the reported mean
 * @param se its standard error; NaN when unknown (a single value)
 * @param n the number of images behind it (all seeds together)
 * @param seeds the number of training seeds (1 for a single run or an untrained model)
 */
public record Estimate(double mean, double se, int n, int seeds) {
    public Estimate {
        if (n < 1 || seeds < 1) {
            throw new InvalidInputException("an estimate needs n >= 1 and seeds >= 1, got n=" + n + ", seeds=" + seeds);
        }
        if (seeds > n) {
            throw new InvalidInputException("an estimate over " + seeds + " seeds needs at least as many images, got " + n);
        }
    }

    /** Whether the standard error is across seeds (true) or across images (false). */
    public boolean acrossSeeds() {
        return seeds >= 2;
    }

    /** The degrees of freedom of the standard error: seeds - 1 across seeds, n - 1 across images. */
    public int degreesOfFreedom() {
        return acrossSeeds() ? seeds - 1 : n - 1;
    }
}
