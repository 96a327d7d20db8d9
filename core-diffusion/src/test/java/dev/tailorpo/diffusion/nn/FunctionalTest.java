package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FunctionalTest {

    @Test
    void groupNormMatchesTheDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1 sample, 4 channels, 2 groups, 1x2 spatial: group 0 = {1,2,3,4}, group 1 = {0,0,0,8}
            NDArray x = m.create(new float[] {1, 2, 3, 4, 0, 0, 0, 8}, new Shape(1, 4, 1, 2));
            NDArray w = m.create(new float[] {1, 2, 1, 1});
            NDArray b = m.create(new float[] {0, 0, 0, 1});
            float[] y = F.groupNorm(x, 2, w, b, 0f).toFloatArray();
            double sd0 = Math.sqrt(1.25);
            assertEquals(-1.5 / sd0, y[0], 1e-5);
            assertEquals(2 * 1.5 / sd0, y[3], 1e-5);   // channel 1 (value 4) scaled by 2
            double sd1 = Math.sqrt(12);                  // values 0,0,0,8: mean 2, biased var 12
            assertEquals(6 / sd1 + 1, y[7], 1e-5);
        }
    }

    @Test
    void embeddingGathersRowsIntoTheIdsManager() {
        try (NDManager model = NDManager.newBaseManager(); NDManager step = NDManager.newBaseManager()) {
            EmbeddingLayer e = new EmbeddingLayer(3, 2);
            e.initialize(model, 1);
            NDArray ids = step.create(new long[] {2, 0, 2}, new Shape(1, 3));
            NDArray out = e.forward(ids);
            assertEquals(new Shape(1, 3, 2), out.getShape());
            float[] table = e.namedParameters().get("weight").array().toFloatArray();
            float[] got = out.toFloatArray();
            assertArrayEquals(new float[] {table[4], table[5], table[0], table[1], table[4], table[5]}, got);
            assertEquals(step, out.getManager());
        }
    }

    @Test
    void upsampleRepeatsEachPixel() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    F.upsampleNearest2x(x).toFloatArray());
        }
    }

    @Test
    void initializationDependsOnlyOnSeedAndPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearLayer a = new LinearLayer(4, 3, true);
            LinearLayer b = new LinearLayer(4, 3, true);
            a.initialize(m, 7);
            b.initialize(m, 7);
            assertArrayEquals(a.weight().array().toFloatArray(), b.weight().array().toFloatArray());
            assertEquals(DataType.FLOAT32, a.weight().array().getDataType());
            for (float v : a.weight().array().toFloatArray()) {
                assertEquals(0, v, 0.5 + 1e-6);  // U(-1/sqrt(4), 1/sqrt(4))
            }
        }
    }

    @Test
    void attentionASampleAtATimeIsTheSameAsAllAtOnce() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            Shape qkv = new Shape(3, 2, 6, 4);
            NDArray q = m.randomNormal(qkv);
            NDArray k = m.randomNormal(qkv);
            NDArray v = m.randomNormal(qkv);
            NDArray perSampleMask = m.randomNormal(new Shape(3, 1, 1, 6));
            NDArray sharedMask = m.randomNormal(new Shape(1, 1, 1, 6));
            NDArray causalMask = m.randomNormal(new Shape(6, 6));   // no batch axis: broadcast over the samples
            long perSample = 2 * 6 * 6;
            for (NDArray mask : new NDArray[] {null, perSampleMask, sharedMask, causalMask}) {
                float[] all = F.attention(q, k, v, mask, Long.MAX_VALUE).toFloatArray();
                for (long slice : new long[] {perSample, 2 * perSample}) {   // one sample, then two, at a time
                    assertArrayEquals(all, F.attention(q, k, v, mask, slice).toFloatArray(), 0f,
                            "slices of " + slice / perSample + " sample(s), mask " + (mask == null ? "none" : mask.getShape()));
                }
            }
        }
    }
}
