package dev.tailorpo.diffusion.models.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long-loop memory behaviour of a LoRA training step on the sd-tiny UNet (batch 1, 16x16): each
 * step runs forward, backward and an SGD update in its own sub-manager. The model's manager must
 * hold the same number of arrays throughout and the process RSS must stay flat after warm-up.
 *
 * <p>300 steps by default (about 50 s on the shared 2-core machine); {@code
 * -Dtailorpo.memory.steps=1000} runs the long version (168 s there: RSS 506 MB at step 200, at
 * most 523 MB up to step 1000), which belongs in benchmarks.
 */
class UNetMemoryTest {
    private static final long MAX_GROWTH_BYTES = 50L << 20;

    @Test
    void longLoopKeepsTheModelManagerAndRssFlat() {
        int steps = Integer.getInteger("tailorpo.memory.steps", 300);
        // the JVM touches its young generation's pages for the first ~200 steps (RSS rises by about
        // 150 MB, then stays within a few MB up to step 1000): measure from there
        int warmup = Math.min(200, steps * 2 / 3);
        try (NDManager model = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(TestData.sdTiny("unet"), model);
            Lora lora = Lora.attach(unet, new LoraConfig(4, 4), model, 1);
            Engine.getInstance().setRandomSeed(5);
            int arraysAtWarmup = -1;
            long rssAtWarmup = -1;
            long jvmAtWarmup = -1;
            long rssMax = 0;
            long nativeGrowthMax = 0;
            long t0 = System.nanoTime();
            for (int step = 0; step < steps; step++) {
                try (NDManager sm = model.newSubManager()) {
                    NDArray x = sm.randomNormal(new Shape(1, 4, 16, 16));
                    NDArray t = sm.create(new float[] {step % 1000});
                    NDArray ctx = sm.randomNormal(new Shape(1, 77, 32));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(unet.forward(x, t, ctx).sub(x).square().mean());
                    }
                    for (Param p : lora.namedParameters().values()) {
                        NDArray g = p.array().getGradient();
                        g.attach(sm);                       // the handle is created in the model's manager
                        p.array().subi(g.mul(1e-3f));
                        g.subi(g);                          // zero the accumulated gradient in place
                    }
                }
                if (step == warmup) {
                    arraysAtWarmup = model.getManagedArrays().size();
                    rssAtWarmup = rssBytes();
                    jvmAtWarmup = jvmCommittedBytes();
                }
                if (step >= warmup) {
                    long rss = rssBytes();
                    rssMax = Math.max(rssMax, rss);
                    nativeGrowthMax = Math.max(nativeGrowthMax, (rss - rssAtWarmup) - (jvmCommittedBytes() - jvmAtWarmup));
                }
                if ((step + 1) % 100 == 0) {
                    System.out.printf("memory step %4d: %d arrays in the model manager, RSS %d MB (JVM committed %d MB), %.1f ms/step%n",
                            step + 1, model.getManagedArrays().size(), rssBytes() >> 20, jvmCommittedBytes() >> 20,
                            (System.nanoTime() - t0) / 1e6 / (step + 1));
                }
            }
            int arraysAtEnd = model.getManagedArrays().size();
            long rssAtEnd = rssBytes();
            System.out.printf("memory: %d steps in %.1f s; arrays %d -> %d; RSS at step %d %d MB, max after %d MB, end %d MB;"
                            + " largest growth outside the JVM's own committed memory %d MB%n",
                    steps, (System.nanoTime() - t0) / 1e9, arraysAtWarmup, arraysAtEnd, warmup, rssAtWarmup >> 20, rssMax >> 20,
                    rssAtEnd >> 20, nativeGrowthMax >> 20);
            assertEquals(unet.namedParameters().size() + lora.namedParameters().size(), arraysAtEnd,
                    "the model manager holds exactly the weights");
            assertEquals(arraysAtWarmup, arraysAtEnd, "arrays in the model manager");
            // RSS also counts the Java heap, which may still expand after warm-up when this test
            // shares its JVM with others; growth beyond what the JVM committed is native memory
            assertTrue(nativeGrowthMax < MAX_GROWTH_BYTES,
                    "RSS outside the JVM's committed memory grew by " + (nativeGrowthMax >> 20) + " MB after warm-up");
        }
    }

    /** Heap and non-heap memory the JVM has committed (its own share of the RSS, at most). */
    private static long jvmCommittedBytes() {
        java.lang.management.MemoryMXBean mx = java.lang.management.ManagementFactory.getMemoryMXBean();
        return mx.getHeapMemoryUsage().getCommitted() + mx.getNonHeapMemoryUsage().getCommitted();
    }

    /** VmRSS of this process. */
    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
