package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;

/**
 * Student's t distribution with real-valued degrees of freedom (Welch's test gives fractional
 * ones). The CDF goes through the regularized incomplete beta function, evaluated with the
 * continued fraction of Numerical Recipes (Lentz's method), which is accurate to about 1e-12 here;
 * the quantile inverts the CDF by bisection, which is slow only by microseconds and cannot diverge.
 */
public final class StudentT {
    private StudentT() {}

    /** P(T <= t) for T with {@code df} degrees of freedom. */
    public static double cdf(double t, double df) {
        requireDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)
        double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    /** The two-sided p-value of an observed statistic: P(|T| >= |t|). */
    public static double twoSidedP(double t, double df) {
        requireDf(df);
        if (Double.isInfinite(t)) {
            return 0;
        }
        return regularizedBeta(df / (df + t * t), df / 2, 0.5);
    }

    /** The t with P(T <= t) = p. */
    public static double quantile(double p, double df) {
        requireDf(df);
        if (!(p > 0 && p < 1)) {
            throw new InvalidInputException("a t quantile needs 0 < p < 1, got " + p);
        }
        if (p < 0.5) {
            return -quantile(1 - p, df);
        }
        double lo = 0;
        double hi = 1;
        while (cdf(hi, df) < p) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid, df) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    private static void requireDf(double df) {
        if (!(df > 0) || Double.isInfinite(df)) {
            throw new InvalidInputException("a t distribution needs finite degrees of freedom > 0, got " + df);
        }
    }

    /** The regularized incomplete beta function I_x(a, b). */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        // the continued fraction converges fast only for x < (a + 1) / (a + b + 2); use the symmetry
        // I_x(a, b) = 1 - I_{1-x}(b, a) on the other side
        if (x < (a + 1) / (a + b + 2)) {
            return front * betaFraction(x, a, b) / a;
        }
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-15) {
                return h;
            }
        }
        return h;
    }

    /** log Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error below 1e-14). */
    static double logGamma(double x) {
        if (x < 0.5) {
            // reflection keeps the series in its accurate range
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double z = x - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
