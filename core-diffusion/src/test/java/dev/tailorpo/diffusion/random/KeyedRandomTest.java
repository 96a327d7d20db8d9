package dev.tailorpo.diffusion.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class KeyedRandomTest {

    @Test
    void sameKeySameNoiseWhateverWasDrawnBefore() {
        try (NDManager m = NDManager.newBaseManager()) {
            KeyedRandom a = new KeyedRandom(42);
            KeyedRandom b = new KeyedRandom(42);
            b.normal(m, new Shape(100), 9, 9);   // an unrelated draw first
            assertArrayEquals(a.normal(m, new Shape(4, 4), 3, 1).toFloatArray(),
                    b.normal(m, new Shape(4, 4), 3, 1).toFloatArray());
        }
    }

    @Test
    void neighbouringKeysAndSeedsDiffer() {
        KeyedRandom r = new KeyedRandom(1);
        assertNotEquals(r.stream(0).nextLong(), r.stream(1).nextLong());
        assertNotEquals(r.stream(0, 1).nextLong(), r.stream(1, 0).nextLong());
        assertNotEquals(new KeyedRandom(1).stream(5).nextLong(), new KeyedRandom(2).stream(5).nextLong());
    }

    @Test
    void noiseIsStandardNormal() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = new KeyedRandom(7).normal(m, new Shape(200_000), 0);
            double mean = x.mean().getFloat();
            double var = x.sub(mean).square().mean().getFloat();
            assertEquals(0, mean, 0.01);
            assertEquals(1, var, 0.01);
            assertFalse(Float.isNaN(x.max().getFloat()));
        }
    }
}
