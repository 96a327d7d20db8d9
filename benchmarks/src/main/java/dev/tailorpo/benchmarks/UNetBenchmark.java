package dev.tailorpo.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.pipeline.GradMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The shapes world's UNet, the hot path of every method, at the batch of one guided step of a study
 * iteration (8 prompts x conditional and unconditional = 16): a forward pass without a graph (as
 * sampling runs it) and a forward and backward pass to the input with the weights frozen (as
 * TailorPO-G's reward gradient runs it). {@code benchmarks/pytorch/unet_torch.py --time} measures
 * the same two passes in PyTorch on the same weights, for the ratio.
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main UNetBenchmark
 * </pre>
 * run from the repository root (the model is {@code models/shapes-base}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(1)
public class UNetBenchmark {
    private static final int BATCH = 16;
    private static final int TOKENS = 16;

    private NDManager manager;
    private UNet2DConditionModel unet;
    private NDArray sample;
    private NDArray timesteps;
    private NDArray context;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager();
        unet = UNet2DConditionModel.load(Path.of("models/shapes-base/unet"), manager);
        unet.setTrainable(false);
        var config = unet.config();
        manager.getEngine().setRandomSeed(0);
        sample = manager.randomNormal(new Shape(BATCH, config.inChannels(), config.sampleSize(), config.sampleSize()));
        timesteps = manager.full(new Shape(BATCH), 500f);
        context = manager.randomNormal(new Shape(BATCH, TOKENS, config.crossAttentionDim()));
    }

    @Benchmark
    public float forward() {
        try (NDManager call = manager.newSubManager(); GradMode g = GradMode.disabled()) {
            NDArray x = sample.duplicate();
            x.attach(call);
            return unet.forward(x, timesteps, context).getFloat(0, 0, 0, 0);
        }
    }

    @Benchmark
    public float forwardBackward() {
        try (NDManager call = manager.newSubManager()) {
            NDArray x = sample.duplicate();
            x.attach(call);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(unet.forward(x, timesteps, context).square().mean());
            }
            return x.getGradient().getFloat(0, 0, 0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
