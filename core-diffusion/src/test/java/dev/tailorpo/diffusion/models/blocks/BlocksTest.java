package dev.tailorpo.diffusion.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.nn.F;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Closed forms of the weightless pieces. */
class BlocksTest {

    @Test
    void timestepEmbeddingIsTheSinusoidOfDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            int dim = 8;
            for (boolean flip : new boolean[] {true, false}) {
                for (float shift : new float[] {0, 1}) {
                    float[] e = new Timesteps(dim, flip, shift).forward(m.create(new float[] {0, 37.5f}), m).toFloatArray();
                    for (int row = 0; row < 2; row++) {
                        double t = row == 0 ? 0 : 37.5;
                        for (int i = 0; i < dim / 2; i++) {
                            double freq = Math.exp(-Math.log(10000) * i / (dim / 2 - shift));
                            double sin = Math.sin(t * freq);
                            double cos = Math.cos(t * freq);
                            assertEquals(flip ? cos : sin, e[row * dim + i], 2e-5, "first half " + i);
                            assertEquals(flip ? sin : cos, e[row * dim + dim / 2 + i], 2e-5, "second half " + i);
                        }
                    }
                }
            }
            assertEquals(new Shape(2, 7), new Timesteps(7, true, 0).forward(m.create(new float[] {1, 2}), m).getShape());
        }
    }

    @Test
    void nearestResizeTakesFloorOfTheScaledIndex() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            // 2 -> 3: source index floor(i * 2 / 3) = 0, 0, 1
            assertArrayEquals(new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4}, F.upsampleNearest(x, new long[] {3, 3}).toFloatArray());
        }
    }

    @Test
    void downsampleWithoutPaddingPadsBottomAndRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Downsample2D d = new Downsample2D(1, 1, 0);
            d.initialize(m, 1);
            // a kernel that picks the bottom-right tap: output (i, j) = input (2i + 2, 2j + 2) or the pad
            d.namedParameters().get("conv.weight").array().muli(0).set(new ai.djl.ndarray.index.NDIndex("0, 0, 2, 2"), 1f);
            d.namedParameters().get("conv.bias").array().muli(0);
            float[] in = new float[16];
            for (int i = 0; i < 16; i++) {
                in[i] = i + 1;
            }
            float[] out = d.forward(m.create(in, new Shape(1, 1, 4, 4))).toFloatArray();
            assertArrayEquals(new float[] {11, 0, 0, 0}, out);
        }
    }

    @Test
    void linearProjectionsEqualOneByOneConvolutions() {
        // SD 2.x's use_linear_projection: the same function as SD 1.x's 1x1 convs, weights reshaped
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer2DModel conv = new Transformer2DModel(4, 8, 32, 2, 16, 8, false);
            Transformer2DModel linear = new Transformer2DModel(4, 8, 32, 2, 16, 8, true);
            conv.initialize(m, 3);
            java.util.Map<String, NDArray> state = new java.util.LinkedHashMap<>();
            conv.stateDict().forEach((k, v) -> state.put(k, k.startsWith("proj_") && k.endsWith("weight") ? v.reshape(32, 32) : v));
            linear.loadStateDict(state);
            NDArray x = m.randomNormal(new Shape(2, 32, 4, 4));
            NDArray ctx = m.randomNormal(new Shape(2, 5, 16));
            assertEquals(0, dev.tailorpo.diffusion.testing.TestData.maxAbsDiff(conv.forward(x, ctx), linear.forward(x, ctx)), 1e-5);
        }
    }
}
