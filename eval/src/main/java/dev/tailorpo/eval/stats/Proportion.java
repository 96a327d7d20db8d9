package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

/**
 * A count of successes out of trials: Fig. 2's "the order by step-wise reward agrees with the
 * final order" at one timestep, or Table 1's "the step-wise reward rose under x+".
 *
 * <p>Its interval is Wilson's score interval rather than the normal one (p +- z sqrt(p(1-p)/n)):
 * the paper's rates sit near 1 (0.97..1.00), where the normal interval collapses to zero width
 * at 100/100 and overshoots 1 just below it, while Wilson's stays inside [0, 1] and keeps its
 * coverage.
 */
public record Proportion(int successes, int trials) {
    /** z of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    public Proportion {
        if (trials < 1 || successes < 0 || successes > trials) {
            throw new InvalidInputException("a proportion needs 0 <= successes <= trials and trials >= 1, got "
                    + successes + "/" + trials);
        }
    }

    /** Counts the true values. */
    public static Proportion of(boolean[] outcomes) {
        int k = 0;
        for (boolean b : outcomes) {
            k += b ? 1 : 0;
        }
        return new Proportion(k, outcomes.length);
    }

    /**
     * How often two orderings of pairs agree, from the differences within each pair: pair i agrees
     * when {@code stepDiff[i]} has the sign of {@code finalDiff[i]} (for Fig. 2, step-wise reward
     * of sample A minus that of sample B at one timestep, against the same for the final images).
     * Pairs whose final rewards tie are left out, as they have no order to agree with; a step-wise
     * tie with a final order counts as a disagreement, as it failed to order the pair.
     */
    public static Proportion signAgreement(double[] stepDiff, double[] finalDiff) {
        if (stepDiff.length != finalDiff.length) {
            throw new InvalidInputException("agreement needs pairs: " + stepDiff.length + " step-wise differences against "
                    + finalDiff.length + " final ones");
        }
        int agree = 0;
        int ordered = 0;
        for (int i = 0; i < stepDiff.length; i++) {
            if (Double.isNaN(stepDiff[i]) || Double.isNaN(finalDiff[i])) {
                throw new InvalidInputException("agreement of a NaN difference at pair " + i);
            }
            if (finalDiff[i] == 0) {
                continue;
            }
            ordered++;
            if (Math.signum(stepDiff[i]) == Math.signum(finalDiff[i])) {
                agree++;
            }
        }
        if (ordered == 0) {
            throw new InvalidInputException("no pair has a final order to agree with (all " + finalDiff.length + " tie)");
        }
        return new Proportion(agree, ordered);
    }

    public double rate() {
        return (double) successes / trials;
    }

    /** Wilson's 95% score interval. */
    public Interval wilson95() {
        return wilson(Z95);
    }

    /** Wilson's score interval for a two-sided normal quantile z (1.96 for 95%). */
    public Interval wilson(double z) {
        if (!(z > 0)) {
            throw new InvalidInputException("a Wilson interval needs z > 0, got " + z);
        }
        double n = trials;
        double p = rate();
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // in exact arithmetic the interval lies in [0, 1] and holds p (its bound is exactly 0 or 1 at
        // 0/n and n/n); clamp the rounding so that callers can rely on low <= p <= high
        return new Interval(Math.max(0, Math.min(p, centre - half)), Math.min(1, Math.max(p, centre + half)));
    }

    /** A closed interval [low, high]. */
    public record Interval(double low, double high) {}
}
