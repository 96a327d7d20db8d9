package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WelchTestTest {

    @Test
    void matchesScipyOnTwoSamples() {
        Summary a = Summary.of(6.1, 6.5, 6.9, 7.2, 6.4, 6.8);
        Summary b = Summary.of(5.6, 5.9, 6.0, 5.7, 5.8, 6.3, 5.5);
        WelchTest w = WelchTest.compare(a, b);
        // scipy.stats.ttest_ind(a, b, equal_var=False) and its confidence_interval(0.95)
        assertEquals(4.318915655584906, w.t(), 1e-12);
        assertEquals(8.648971870996093, w.df(), 1e-12);
        assertEquals(0.002124654145841488, w.p(), 1e-10);
        assertEquals(0.38850495856553297, w.low(), 1e-9);
        assertEquals(1.2543521842916094, w.high(), 1e-9);
        assertEquals(a.mean() - b.mean(), w.difference(), 1e-15);
    }

    @Test
    void estimatesAcrossSeedsUseSeedDegreesOfFreedom() {
        // equal standard errors with df 2 and 2: Welch-Satterthwaite gives (2v)^2 / (v^2/2 + v^2/2) = 4
        Estimate method = new Estimate(6.0, 0.1, 30, 3);
        Estimate base = new Estimate(5.5, 0.1, 30, 3);
        WelchTest w = WelchTest.compare(method, base);
        assertEquals(4, w.df(), 1e-12);
        assertEquals(0.5 / Math.sqrt(0.02), w.t(), 1e-12);
    }

    @Test
    void needsAnErrorOnBothSides() {
        assertThrows(InvalidInputException.class, () -> WelchTest.compare(Summary.of(1, 2), Summary.of(3)));
        assertThrows(InvalidInputException.class, () -> WelchTest.compare(Summary.of(1, 1), Summary.of(3, 3)));
    }

    @Test
    void studentTMatchesClosedFormsAndScipy() {
        // df = 1 is Cauchy: F(t) = 1/2 + atan(t) / pi
        assertEquals(0.5 + Math.atan(2.5) / Math.PI, StudentT.cdf(2.5, 1), 1e-13);
        // df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2))
        assertEquals(0.5 + -0.7 / (2 * Math.sqrt(2 + 0.49)), StudentT.cdf(-0.7, 2), 1e-13);
        assertEquals(0.8656666379136863, StudentT.cdf(1.3, 3.7), 1e-12);
        // df = 2: the 97.5% quantile is sqrt(2) * q / sqrt(1 - q^2) with q = 2 * 0.975 - 1
        double q = 0.95;
        assertEquals(Math.sqrt(2) * q / Math.sqrt(1 - q * q), StudentT.quantile(0.975, 2), 1e-10);
        assertEquals(4.302652729749462, StudentT.quantile(0.975, 2), 1e-10);
        assertEquals(2.228138851986274, StudentT.quantile(0.975, 10), 1e-10);
        assertEquals(-2.345066736547703, StudentT.quantile(0.025, 7.3), 1e-10);
        assertEquals(0.05, StudentT.twoSidedP(2.228138851986274, 10), 1e-12);
    }
}
