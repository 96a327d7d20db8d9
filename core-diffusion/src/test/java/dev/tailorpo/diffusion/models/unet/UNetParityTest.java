package dev.tailorpo.diffusion.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sd-tiny UNet against diffusers' outputs (testdata/sd-tiny/unet/reference.safetensors). */
class UNetParityTest {
    private static final double ATOL = 1e-4;

    @Test
    void matchesDiffusersIntermediatesAndOutput() {
        try (NDManager model = NDManager.newBaseManager();
             NDManager step = model.newSubManager();
             SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("unet", "reference.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), model);
            UNetOutput out = unet.forwardWithIntermediates(ref.load("sample", step), ref.load("timestep", step),
                    ref.load("encoder_hidden_states", step));
            List<String> names = new ArrayList<>();
            for (String key : ref.keys()) {
                if (key.startsWith("intermediate.")) {
                    names.add(key.substring("intermediate.".length()));
                }
            }
            assertEquals(names.size(), out.intermediates().size(), "intermediates: " + out.intermediates().keySet());
            // in forward order, so that the first failure is the first block that disagrees
            StringBuilder report = new StringBuilder();
            for (String name : out.intermediates().keySet()) {
                NDArray expected = ref.load("intermediate." + name, step);
                NDArray actual = out.intermediates().get(name);
                report.append(String.format("%n  %-16s max |diff| %.3g", name, TestData.maxAbsDiff(expected, actual)));
                TestData.assertClose(expected, actual, ATOL, 0, "intermediate." + name);
            }
            NDArray expected = ref.load("out", step);
            report.append(String.format("%n  %-16s max |diff| %.3g", "out", TestData.maxAbsDiff(expected, out.sample())));
            System.out.println("UNet parity vs diffusers:" + report);
            TestData.assertClose(expected, out.sample(), ATOL, 0, "out");
            // the plain forward is the same computation
            NDArray again = unet.forward(ref.load("sample", step), ref.load("timestep", step), ref.load("encoder_hidden_states", step));
            assertEquals(0, TestData.maxAbsDiff(out.sample(), again));
        }
    }
}
