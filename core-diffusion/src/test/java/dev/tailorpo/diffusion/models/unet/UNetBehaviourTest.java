package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UNet's contract beyond parity: sizes, broadcasting, where results go, bad input. */
class UNetBehaviourTest {
    private static NDManager model;
    private static UNet2DConditionModel unet;

    @BeforeAll
    static void load() {
        model = NDManager.newBaseManager();
        unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void sizesThatAreNotMultiplesOfEightKeepTheirShape() {
        // 20 -> 10 -> 5 -> 3 on the way down; the up path must resize 3 -> 5 (not 6) to meet the skips
        for (int side : new int[] {20, 12, 8}) {
            try (NDManager step = model.newSubManager()) {
                NDArray out = unet.forward(step.randomNormal(new Shape(1, 4, side, side)), step.create(new float[] {10}),
                        step.randomNormal(new Shape(1, 5, 32)));
                assertEquals(new Shape(1, 4, side, side), out.getShape());
            }
        }
    }

    @Test
    void oneTimestepIsBroadcastOverTheBatch() {
        try (NDManager step = model.newSubManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("unet", "reference.safetensors"))) {
            NDArray x = ref.load("sample", step);
            NDArray ctx = ref.load("encoder_hidden_states", step);
            float t0 = ref.load("timestep", step).toFloatArray()[0];
            NDArray one = unet.forward(x, step.create(new float[] {t0}), ctx);
            NDArray both = unet.forward(x, step.create(new float[] {t0, t0}), ctx);
            assertEquals(0, TestData.maxAbsDiff(one, both));
        }
    }

    @Test
    void longLivedInputsDoNotCollectTheStepsResults() {
        try (NDManager prompts = model.newSubManager()) {
            NDArray ctx = prompts.randomNormal(new Shape(2, 77, 32));
            NDArray t = prompts.create(new long[] {999, 3});   // int64 timesteps are fine too
            int before = prompts.getManagedArrays().size();
            int modelBefore = model.getManagedArrays().size();
            try (NDManager step = model.newSubManager()) {
                unet.forward(step.randomNormal(new Shape(2, 4, 16, 16)), t, ctx);
            }
            assertEquals(before, prompts.getManagedArrays().size(), "arrays left in the prompts' manager");
            assertEquals(modelBefore, model.getManagedArrays().size(), "arrays left in the model's manager");
        }
    }

    @Test
    void badInputsAreRejectedWithTheirShapes() {
        try (NDManager step = model.newSubManager()) {
            NDArray ctx = step.zeros(new Shape(1, 77, 32));
            NDArray t = step.zeros(new Shape(1));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> unet.forward(step.zeros(new Shape(1, 3, 16, 16)), t, ctx));
            assertTrue(e.getMessage().contains("(1, 3, 16, 16)"), e.getMessage());
            assertThrows(InvalidInputException.class, () -> unet.forward(step.zeros(new Shape(1, 4, 16, 16)), t, step.zeros(new Shape(1, 77, 768))));
            assertThrows(InvalidInputException.class, () -> unet.forward(step.zeros(new Shape(2, 4, 16, 16)), step.zeros(new Shape(3)), step.zeros(new Shape(2, 77, 32))));
        }
    }

    @Test
    void strictLoadingNamesTheBadKeys(@TempDir Path dir) throws Exception {
        Path unetDir = dir.resolve("unet");
        Files.createDirectories(unetDir);
        Files.copy(TestData.sdTiny("unet", "config.json"), unetDir.resolve("config.json"));
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> UNet2DConditionModel.load(unetDir, model));
        assertTrue(missing.getMessage().contains(UNet2DConditionModel.WEIGHTS_FILE), missing.getMessage());
        // weights of another architecture: every problem is listed
        Files.copy(TestData.sdTiny("vae", "diffusion_pytorch_model.safetensors"), unetDir.resolve(UNet2DConditionModel.WEIGHTS_FILE));
        ModelFormatException wrong = assertThrows(ModelFormatException.class, () -> UNet2DConditionModel.load(unetDir, model));
        assertTrue(wrong.getMessage().contains("missing keys") && wrong.getMessage().contains("conv_in.weight")
                && wrong.getMessage().contains("unexpected keys") && wrong.getMessage().contains("decoder."), wrong.getMessage());
    }
}
