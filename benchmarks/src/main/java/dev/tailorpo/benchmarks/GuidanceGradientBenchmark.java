package dev.tailorpo.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.rewards.shapes.ShapesRewardProviders;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TailorPO-G's reward gradient d r_t / d x on the shapes world (8 prompts, as an iteration of the
 * study ranks them; shapes-aesthetic; through the UNet's prediction), with the LoRA adapters
 * trainable as in training or frozen: the backward pass also computes the adapters' gradients,
 * which the engine then discards, and this measures what that costs.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main GuidanceGradientBenchmark
 * </pre>
 * run from the repository root (the model folders are {@code models/}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(1)
public class GuidanceGradientBenchmark {
    /** The step index of the schedule scored (0 is the noisiest of 20). */
    @Param({"4", "16"})
    public int stepIndex;

    @Param({"true", "false"})
    public boolean adaptersTrainable;

    private NDManager manager;
    private RewardModel reward;
    private StepwiseReward stepwise;
    private Conditioning conditioning;
    private NDArray x;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager();
        GuidedPolicy policy = GuidedPolicy.load(Path.of("models/shapes-base"), new SamplingSettings(20, 1.0, 5.0),
                new LoraConfig(4, 4f), 0, manager);
        policy.lora().setTrainable(adaptersTrainable);
        reward = new ShapesRewardProviders.Aesthetic().create(new RewardContext(Path.of("models"), Device.cpu(), Map.of()));
        stepwise = new PolicyStepwiseReward(policy, reward);
        conditioning = policy.encode(Collections.nCopies(8, "a large red circle on a blue background"), manager);
        // the compute does not depend on the values: a standard normal stands in for x_t
        manager.getEngine().setRandomSeed(0);
        x = manager.randomNormal(new Shape(8).addAll(policy.sampleShape()));
    }

    @Benchmark
    public float[] gradient() {
        // the pass's arrays follow their inputs' manager: a per-call copy of x keeps them in
        // a sub-manager that is closed after the call
        try (NDManager call = manager.newSubManager()) {
            NDArray xi = x.duplicate();
            xi.attach(call);
            StepwiseReward.Gradient g = stepwise.gradient(conditioning, xi, stepIndex, false);
            g.grad().toFloatArray();
            return g.scores();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        reward.close();
        manager.close();
    }
}
