package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProportionTest {

    @Test
    void wilsonIntervalOfEightOfTenIsTheFormula() {
        Proportion p = new Proportion(8, 10);
        assertEquals(0.8, p.rate(), 0);
        double z = 1.959963984540054;
        double n = 10;
        double centre = (0.8 + z * z / (2 * n)) / (1 + z * z / n);
        double half = z / (1 + z * z / n) * Math.sqrt(0.8 * 0.2 / n + z * z / (4 * n * n));
        Proportion.Interval ci = p.wilson95();
        assertEquals(centre - half, ci.low(), 1e-15);
        assertEquals(centre + half, ci.high(), 1e-15);
        // the published values for 8/10
        assertEquals(0.4902, ci.low(), 5e-5);
        assertEquals(0.9433, ci.high(), 5e-5);
    }

    @Test
    void wilsonAtTheEdgesStaysInsideZeroOne() {
        // at 0/n the interval is [0, z^2 / (n + z^2)]; at n/n its mirror image
        double z2 = Proportion.Z95 * Proportion.Z95;
        assertEquals(0, new Proportion(0, 10).wilson95().low(), 0);
        assertEquals(z2 / (10 + z2), new Proportion(0, 10).wilson95().high(), 1e-15);
        assertEquals(1 - z2 / (100 + z2), new Proportion(100, 100).wilson95().low(), 1e-15);
        assertEquals(1, new Proportion(100, 100).wilson95().high(), 0);
    }

    @Test
    void wilsonHoldsTheRateDespiteRounding() {
        // at n/n the upper bound is 1 only in exact arithmetic; unclamped, it rounds below 1 for
        // about half of all n, which would put the interval beside its own rate
        for (int n = 1; n <= 300; n++) {
            for (int k : new int[] {0, 1, n / 2, n - 1, n}) {
                Proportion p = new Proportion(Math.max(0, k), n);
                Proportion.Interval ci = p.wilson95();
                assertTrue(ci.low() <= p.rate() && p.rate() <= ci.high(), p + " " + ci);
            }
        }
        assertEquals(1, new Proportion(7, 7).wilson95().high(), 0);
    }

    @Test
    void signAgreementSkipsFinalTiesAndCountsStepTiesAsMisses() {
        double[] step = {0.3, -0.2, 0.1, 0.0, 5.0};
        double[] fin = {1.0, -1.0, -1.0, 2.0, 0.0};
        // pair 0 and 1 agree, 2 disagrees, 3 is a step tie (miss), 4 has no final order
        assertEquals(new Proportion(2, 4), Proportion.signAgreement(step, fin));
        assertEquals(new Proportion(2, 3), Proportion.of(new boolean[] {true, false, true}));
    }

    @Test
    void refusesImpossibleCounts() {
        assertThrows(InvalidInputException.class, () -> new Proportion(3, 2));
        assertThrows(InvalidInputException.class, () -> new Proportion(0, 0));
        assertThrows(InvalidInputException.class,
                () -> Proportion.signAgreement(new double[] {1}, new double[] {0}));
    }
}
