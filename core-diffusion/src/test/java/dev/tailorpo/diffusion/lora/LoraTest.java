package dev.tailorpo.diffusion.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA on the sd-tiny UNet: identity at init, the switch, the diffusers file, gradients. */
class LoraTest {
    private static final Path FIXTURE = TestData.sdTiny("trainer", "pytorch_lora_weights.safetensors");
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A fresh UNet and the fixture's inputs, all in {@code m}. */
    private static Object[] unetAndInputs(NDManager m) {
        UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), m);
        try (SafeTensorsFile ref = SafeTensorsFile.open(TestData.sdTiny("unet", "reference.safetensors"))) {
            return new Object[] {unet, ref.load("sample", m), ref.load("timestep", m), ref.load("encoder_hidden_states", m)};
        }
    }

    private static NDArray run(Object[] u) {
        return ((UNet2DConditionModel) u[0]).forward((NDArray) u[1], (NDArray) u[2], (NDArray) u[3]);
    }

    @Test
    void freshAdaptersLeaveTheOutputBitIdenticalAndOnlyAdaptersTrain() {
        try (NDManager m = manager.newSubManager()) {
            Object[] u = unetAndInputs(m);
            UNet2DConditionModel unet = (UNet2DConditionModel) u[0];
            float[] base = run(u).toFloatArray();
            Lora lora = Lora.attach(unet, new LoraConfig(4, 4), m, 1);
            // 4 projections x 2 attentions x 16 transformer blocks of the sd-tiny UNet
            assertEquals(128, lora.adapters().size());
            org.junit.jupiter.api.Assertions.assertArrayEquals(base, run(u).toFloatArray(), "B = 0 must change nothing");
            for (Param p : unet.namedParameters().values()) {
                assertFalse(p.trainable());
            }
            for (Param p : lora.namedParameters().values()) {
                assertTrue(p.trainable());
            }
            float[] a = lora.adapters().values().iterator().next().loraA().weight().array().toFloatArray();
            double bound = 1 / Math.sqrt(32);   // kaiming-uniform(a=sqrt 5) over in_features 32
            double max = 0;
            for (float v : a) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= bound && max > 0.5 * bound, "A ~ U(-1/sqrt(in), 1/sqrt(in)), max |A| " + max);
        }
    }

    @Test
    void fixtureFileMapsOntoTheAdaptersAndDisablingGivesTheBaseModel() {
        try (NDManager m = manager.newSubManager(); SafeTensorsFile file = SafeTensorsFile.open(FIXTURE)) {
            Object[] u = unetAndInputs(m);
            UNet2DConditionModel unet = (UNet2DConditionModel) u[0];
            float[] base = run(u).toFloatArray();
            Lora lora = Lora.attach(unet, new LoraConfig(4, 4), m, 1);
            lora.load(file, Lora.UNET_PREFIX, m);   // strict: throws on any unknown, missing or mis-shaped key
            Set<String> expected = new TreeSet<>(file.keys());
            Set<String> mine = new TreeSet<>();
            lora.namedParameters().keySet().forEach(k -> mine.add(Lora.UNET_PREFIX + k));
            assertEquals(expected, mine);
            assertEquals(256, mine.size());

            float[] on = run(u).toFloatArray();
            lora.setEnabled(false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(base, run(u).toFloatArray(), "disabled LoRA = base model, bit for bit");
            lora.setEnabled(true);
            double diff = 0;
            for (int i = 0; i < on.length; i++) {
                diff = Math.max(diff, Math.abs(on[i] - base[i]));
            }
            assertTrue(diff > 1e-4, "the fixture's non-zero B changes the output (max diff " + diff + ")");
            System.out.printf("LoRA fixture: max |on - off| = %.3g%n", diff);
        }
    }

    @Test
    void enabledLoraEqualsTheMergedWeights() {
        // peft's merge: W' = W + (alpha / r) B A; the adapted network must equal the merged one
        try (NDManager m = manager.newSubManager()) {
            Object[] u = unetAndInputs(m);
            UNet2DConditionModel unet = (UNet2DConditionModel) u[0];
            Lora lora = Lora.attach(unet, new LoraConfig(4, 8), m, 1);   // alpha 8: scale 2
            lora.load(FIXTURE, m);
            NDArray adapted = run(u);
            Object[] v = unetAndInputs(m);
            UNet2DConditionModel merged = (UNet2DConditionModel) v[0];
            Map<String, Param> params = merged.namedParameters();
            lora.adapters().forEach((path, a) -> {
                NDArray w = params.get(path + ".weight").array();
                NDArray delta = a.loraB().weight().array().matMul(a.loraA().weight().array()).mul(2f);
                w.addi(delta);
            });
            double d = TestData.maxAbsDiff(adapted, run(v));
            System.out.printf("LoRA vs merged weights: max |diff| = %.3g%n", d);
            assertTrue(d < 1e-5, "LoRA output vs merged weights, max diff " + d);
        }
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) {
        try (NDManager m = manager.newSubManager()) {
            Object[] u = unetAndInputs(m);
            UNet2DConditionModel unet = (UNet2DConditionModel) u[0];
            Lora lora = Lora.attach(unet, new LoraConfig(4, 4), m, 1);
            lora.load(FIXTURE, m);
            // make every weight differ from the fixture so that the round trip proves something
            lora.namedParameters().values().forEach(p -> p.array().muli(1.5f));
            NDArray before = run(u);
            Path file = dir.resolve("lora.safetensors");
            lora.save(file);
            try (SafeTensorsFile saved = SafeTensorsFile.open(file); SafeTensorsFile fixture = SafeTensorsFile.open(FIXTURE)) {
                assertEquals(new TreeSet<>(fixture.keys()), new TreeSet<>(saved.keys()), "diffusers key names");
                assertEquals("4", saved.metadata().get("lora_rank"));
            }
            lora.detach();
            Lora again = Lora.attach(unet, new LoraConfig(4, 4), m, 99);
            assertNotEquals(0, TestData.maxAbsDiff(before, run(u)));
            again.load(file, m);
            assertEquals(0, TestData.maxAbsDiff(before, run(u)), "outputs after the round trip");
            again.namedParameters().forEach((k, p) -> {
                assertEquals(0, TestData.maxAbsDiff(lora.namedParameters().get(k).array(), p.array()), k);
                assertTrue(p.trainable(), k + " stays trainable after load");
            });
        }
    }

    @Test
    void strictLoadReportsRankMismatchAndConfigErrors() {
        try (NDManager m = manager.newSubManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), m);
            Lora wrongRank = Lora.attach(unet, new LoraConfig(8, 8), m, 1);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> wrongRank.load(FIXTURE, m));
            assertTrue(e.getMessage().contains("wrong shape") && e.getMessage().contains("lora_A.weight"), e.getMessage());
            wrongRank.detach();
            Lora onlyQ = Lora.attach(unet, new LoraConfig(4, 4, java.util.List.of("to_q")), m, 1);
            ModelFormatException e2 = assertThrows(ModelFormatException.class, () -> onlyQ.load(FIXTURE, m));
            assertTrue(e2.getMessage().contains("unexpected keys") && e2.getMessage().contains("to_k.lora_A.weight"), e2.getMessage());
            assertThrows(ConfigException.class, () -> Lora.attach(unet, new LoraConfig(4, 4), m, 1), "to_q is taken");
            onlyQ.detach();
            ConfigException none = assertThrows(ConfigException.class,
                    () -> Lora.attach(unet, new LoraConfig(4, 4, java.util.List.of("no_such_layer")), m, 1));
            assertTrue(none.getMessage().contains("no_such_layer"));
        }
    }

    @Test
    void gradientsReachTheAdaptersAndNotTheBase() {
        try (NDManager m = manager.newSubManager()) {
            Object[] u = unetAndInputs(m);
            UNet2DConditionModel unet = (UNet2DConditionModel) u[0];
            Lora lora = Lora.attach(unet, new LoraConfig(4, 4), m, 1);
            lora.load(FIXTURE, m);
            try (NDManager step = m.newSubManager()) {
                NDArray x = ((NDArray) u[1]).duplicate();
                x.attach(step);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = unet.forward(x, (NDArray) u[2], (NDArray) u[3]);
                    gc.backward(out.square().sum());
                }
                int zeroA = 0;
                int zeroB = 0;
                for (LoraAdapter a : lora.adapters().values()) {
                    NDArray ga = a.loraA().weight().array().getGradient();
                    NDArray gb = a.loraB().weight().array().getGradient();
                    ga.attach(step);
                    gb.attach(step);
                    zeroA += ga.abs().max().getFloat() == 0 ? 1 : 0;
                    zeroB += gb.abs().max().getFloat() == 0 ? 1 : 0;
                }
                assertEquals(0, zeroA, "adapters whose A got no gradient");
                assertEquals(0, zeroB, "adapters whose B got no gradient");
                for (Map.Entry<String, Param> e : unet.namedParameters().entrySet()) {
                    assertFalse(e.getValue().array().hasGradient(), e.getKey() + " is frozen");
                }
            }
        }
    }
}
