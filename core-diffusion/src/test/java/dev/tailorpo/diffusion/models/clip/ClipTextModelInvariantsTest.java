package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the text tower that hold for any weights (random ones here). */
class ClipTextModelInvariantsTest {
    private static final ClipTextConfig CONFIG =
            new ClipTextConfig(50, 16, 24, 2, 2, 12, ClipActivation.GELU, 1e-5, 8, 48, 49, 49);

    @Test
    void pooledPositionFollowsTransformersRule() {
        long[] ids = {48, 5, 49, 49, /* */ 48, 7, 8, 9, /* */ 48, 3, 2, 1};
        // eos 49: the first 49, or 0 when there is none
        assertArrayEquals(new int[] {2, 0, 0}, ClipTextModel.eosPositions(ids, 3, 4, 49));
        // legacy eos 2: the first position of the largest id
        assertArrayEquals(new int[] {2, 0, 0}, ClipTextModel.eosPositions(ids, 3, 4, 2));
        assertArrayEquals(new int[] {3}, ClipTextModel.eosPositions(new long[] {1, 5, 5, 9}, 1, 4, 2));
        assertArrayEquals(new int[] {1}, ClipTextModel.eosPositions(new long[] {1, 9, 5, 9}, 1, 4, 2));
    }

    @Test
    void attentionIsCausal() {
        try (NDManager model = NDManager.newBaseManager(); NDManager step = NDManager.newBaseManager()) {
            ClipTextModel m = new ClipTextModel(CONFIG);
            m.initialize(model, 11);
            NDArray a = step.create(new long[] {48, 3, 4, 5, 49, 49}, new Shape(1, 6));
            NDArray b = step.create(new long[] {48, 3, 4, 7, 8, 49}, new Shape(1, 6));
            ClipTextModel.Output oa = m.forward(a);
            ClipTextModel.Output ob = m.forward(b);
            assertEquals(new Shape(1, 6, 16), oa.lastHiddenState().getShape());
            assertEquals(step, oa.lastHiddenState().getManager());
            // positions 0..2 see the same prefix, so their states agree; position 3 differs
            TestData.assertClose(oa.lastHiddenState().get(":, :3, :"), ob.lastHiddenState().get(":, :3, :"), 1e-6, 0, "prefix");
            assertTrue(TestData.maxAbsDiff(oa.lastHiddenState().get(":, 3, :"), ob.lastHiddenState().get(":, 3, :")) > 1e-3);
            // pooled = the state at the first eos (4 in a, 5 in b)
            TestData.assertClose(oa.lastHiddenState().get(":, 4, :"), oa.pooledOutput(), 0, 0, "pooled a");
            TestData.assertClose(ob.lastHiddenState().get(":, 5, :"), ob.pooledOutput(), 0, 0, "pooled b");
        }
    }

    @Test
    void rejectsIdsItCannotEmbed() {
        try (NDManager model = NDManager.newBaseManager(); NDManager step = NDManager.newBaseManager()) {
            ClipTextModel m = new ClipTextModel(CONFIG);
            m.initialize(model, 1);
            assertThrows(InvalidInputException.class, () -> m.forward(step.create(new long[] {48, 50}, new Shape(1, 2))));
            assertThrows(InvalidInputException.class, () -> m.forward(step.zeros(new Shape(1, 13))));
        }
    }
}
