package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

/**
 * Welch's unequal-variance t-test of "method A vs base": the difference of two means, its
 * standard error, t, the Welch-Satterthwaite degrees of freedom, the two-sided p-value and a
 * confidence interval of the difference.
 *
 * <p>Why Welch rather than a bootstrap: it needs only what a table already holds (mean, standard
 * error, degrees of freedom), so it can compare the reported numbers themselves, including ones
 * pooled over seeds; it is deterministic; and it is what {@code scipy.stats.ttest_ind(equal_var=False)}
 * computes, so users can check it.
 *
 * <p>Each side's variance is its squared standard error and its degrees of freedom are
 * {@link Estimate#degreesOfFreedom()}: across seeds (seeds - 1) when the estimate pools two or
 * more training seeds, otherwise across images (n - 1). With three seeds a method has 2 degrees of
 * freedom, so only large gains are significant; that is the price of not pretending that the
 * images of one run are independent draws of the method.
 *
 * @param difference mean(a) - mean(b)
 * @param se the standard error of the difference
 * @param t difference / se
 * @param df Welch-Satterthwaite degrees of freedom (fractional)
 * @param p two-sided p-value
 * @param low the lower end of the confidence interval of the difference
 * @param high the upper end
 * @param level the confidence level of [low, high], e.g. 0.95
 */
public record WelchTest(double difference, double se, double t, double df, double p,
                        double low, double high, double level) {

    /** Compares two reported estimates at the 95% level. */
    public static WelchTest compare(Estimate a, Estimate b) {
        return compare(a, b, 0.95);
    }

    /** Compares two reported estimates, with a confidence interval at {@code level}. */
    public static WelchTest compare(Estimate a, Estimate b, double level) {
        return compare(a.mean(), a.se(), a.degreesOfFreedom(), b.mean(), b.se(), b.degreesOfFreedom(), level);
    }

    /** The textbook test of two samples of images (scipy's {@code ttest_ind(a, b, equal_var=False)}). */
    public static WelchTest compare(Summary a, Summary b) {
        return compare(a.mean(), a.se(), a.n() - 1, b.mean(), b.se(), b.n() - 1, 0.95);
    }

    private static WelchTest compare(double meanA, double seA, int dfA, double meanB, double seB, int dfB,
                                     double level) {
        if (!(level > 0 && level < 1)) {
            throw new InvalidInputException("a confidence level must be in (0, 1), got " + level);
        }
        if (dfA < 1 || dfB < 1 || Double.isNaN(seA) || Double.isNaN(seB)) {
            throw new InvalidInputException("Welch's test needs a standard error on both sides (at least two values"
                    + " or two seeds each)");
        }
        double va = seA * seA;
        double vb = seB * seB;
        if (va + vb == 0) {
            throw new InvalidInputException("Welch's test is undefined when both sides have zero variance");
        }
        double diff = meanA - meanB;
        double se = Math.sqrt(va + vb);
        double t = diff / se;
        double df = (va + vb) * (va + vb) / (va * va / dfA + vb * vb / dfB);
        double q = StudentT.quantile(0.5 + level / 2, df);
        return new WelchTest(diff, se, t, df, StudentT.twoSidedP(t, df), diff - q * se, diff + q * se, level);
    }
}
