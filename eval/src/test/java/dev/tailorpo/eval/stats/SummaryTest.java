package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryTest {

    @Test
    void meanSdAndSeOfOneToFourAreTheClosedForms() {
        Summary s = Summary.of(1, 2, 3, 4);
        assertEquals(4, s.n());
        assertEquals(2.5, s.mean(), 0);
        // sample variance = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
        assertEquals(Math.sqrt(5.0 / 3), s.sd(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3) / 2, s.se(), 1e-15);
        assertEquals(1, s.min(), 0);
        assertEquals(4, s.max(), 0);
        assertEquals(new Estimate(2.5, Math.sqrt(5.0 / 3) / 2, 4, 1), s.estimate());
    }

    @Test
    void keepsPrecisionUnderALargeOffset() {
        Summary s = Summary.of(1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4);
        assertEquals(Math.sqrt(5.0 / 3), s.sd(), 1e-9);
    }

    @Test
    void oneValueHasAMeanButNoSpread() {
        Summary s = Summary.of(-105.5);
        assertEquals(-105.5, s.mean(), 0);
        assertTrue(Double.isNaN(s.sd()));
        assertTrue(Double.isNaN(s.se()));
    }

    @Test
    void refusesEmptyAndNonFiniteSamples() {
        assertThrows(InvalidInputException.class, Summary::of);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Summary.of(1, Double.NaN));
        assertEquals("cannot summarise a sample holding NaN (value 1)", e.getMessage());
    }

    @Test
    void seedPoolingUsesTheSeedAsTheUnitFromTwoSeeds() {
        // three seeds of two images: seed means 1.5, 3.5, 8.5
        SeedPooled pooled = SeedPooled.of(new double[] {1, 2}, new double[] {3, 4}, new double[] {8, 9});
        assertEquals(3, pooled.seeds());
        assertEquals(6, pooled.images());
        Estimate e = pooled.estimate();
        assertEquals(4.5, e.mean(), 1e-15);
        // sd of {1.5, 3.5, 8.5} = sqrt(((-3)^2 + (-1)^2 + 4^2) / 2) = sqrt(13); se = sqrt(13/3)
        assertEquals(Math.sqrt(13.0 / 3), e.se(), 1e-14);
        assertEquals(6, e.n());
        assertEquals(3, e.seeds());
        assertTrue(e.acrossSeeds());
        assertEquals(2, e.degreesOfFreedom());
        // the image-level pool: same mean (equal counts), a different, smaller error bar
        assertEquals(Summary.of(1, 2, 3, 4, 8, 9), pooled.allImages());
        assertEquals(List.of(Summary.of(1, 2), Summary.of(3, 4), Summary.of(8, 9)), pooled.perSeed());
    }

    @Test
    void unequalImageCountsWeighSeedsEqually() {
        SeedPooled pooled = SeedPooled.of(List.of(new double[] {0}, new double[] {2, 2, 2}));
        assertEquals(1.0, pooled.estimate().mean(), 0);
        assertEquals(1.5, pooled.allImages().mean(), 0);
    }

    @Test
    void oneSeedReportsOverImages() {
        SeedPooled pooled = SeedPooled.of(new double[] {1, 2, 3, 4});
        assertEquals(Summary.of(1, 2, 3, 4).estimate(), pooled.estimate());
        assertEquals(3, pooled.estimate().degreesOfFreedom());
    }

    @Test
    void refusesASeedWithoutImages() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SeedPooled.of(new double[] {1}, new double[0]));
        assertEquals("seed 1 has no images to pool", e.getMessage());
    }
}
