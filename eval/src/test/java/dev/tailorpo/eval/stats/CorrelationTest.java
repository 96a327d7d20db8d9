package dev.tailorpo.eval.stats;

import dev.tailorpo.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorrelationTest {

    @Test
    void pearsonOfAHandExample() {
        // x = 1, 2, 3; y = 1, 3, 2: deviations (-1, 0, 1) and (-1, 1, 0), so r = 1 / (sqrt 2 sqrt 2) = 1/2
        assertEquals(0.5, Correlation.pearson(new double[] {1, 2, 3}, new double[] {1, 3, 2}), 1e-15);
        assertEquals(-1, Correlation.pearson(new double[] {1, 2, 3}, new double[] {6, 4, 2}), 1e-15);
    }

    @Test
    void spearmanGivesTiesTheirAverageRankAsScipy() {
        double[] x = {1, 2, 2, 3, 5, 8};
        double[] y = {2, 1, 4, 4, 9, 7};
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4, 5, 6}, Correlation.ranks(x), 0);
        // scipy.stats.pearsonr and spearmanr
        assertEquals(0.7812170937796872, Correlation.pearson(x, y), 1e-14);
        assertEquals(0.8088235294117647, Correlation.spearman(x, y), 1e-14);
    }

    @Test
    void spearmanSeesOnlyTheOrder() {
        double[] x = {1, 2, 3, 4};
        assertEquals(1, Correlation.spearman(x, new double[] {1, 10, 100, 1000}), 1e-15);
    }

    @Test
    void constantSidesHaveNoCorrelationAndBadInputIsRefused() {
        assertTrue(Double.isNaN(Correlation.pearson(new double[] {1, 1}, new double[] {1, 2})));
        assertThrows(InvalidInputException.class, () -> Correlation.pearson(new double[] {1, 2}, new double[] {1}));
        assertThrows(InvalidInputException.class, () -> Correlation.spearman(new double[] {1}, new double[] {1}));
    }
}
