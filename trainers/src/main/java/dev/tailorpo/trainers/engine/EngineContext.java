package dev.tailorpo.trainers.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.tensor.Scalars;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.random.KeyedRandom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The engine's {@link TrainingContext} for one iteration; metrics reported twice are averaged.
 * Public so that a method can also be run outside the training loop (tests, analyses) with the
 * engine's own keyed randomness.
 */
public final class EngineContext implements TrainingContext {
    private final DiffusionPolicy policy;
    private final RewardModel reward;
    private final StepwiseReward stepwise;
    private final int iteration;
    private final NDManager manager;
    private final KeyedRandom random;
    private final Map<String, double[]> metrics = new LinkedHashMap<>();
    private NDManager scratch;

    /**
     * @param policy the policy being trained
     * @param reward the reward of final images
     * @param stepwise the step-wise reward
     * @param iteration the 0-based iteration
     * @param manager the iteration's manager (samples live here)
     * @param random the iteration's keyed randomness (the engine uses the run seed's child for the iteration)
     */
    public EngineContext(DiffusionPolicy policy, RewardModel reward, StepwiseReward stepwise, int iteration,
                         NDManager manager, KeyedRandom random) {
        this.policy = policy;
        this.reward = reward;
        this.stepwise = stepwise;
        this.iteration = iteration;
        this.manager = manager;
        this.random = random;
        this.scratch = manager;
    }

    @Override
    public DiffusionPolicy policy() {
        return policy;
    }

    @Override
    public RewardModel reward() {
        return reward;
    }

    @Override
    public StepwiseReward stepwiseReward() {
        return stepwise;
    }

    @Override
    public int iteration() {
        return iteration;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public NDManager scratch() {
        return scratch;
    }

    /**
     * Accumulates into the weights' gradients the gradient of {@code method}'s mean loss over
     * {@code group}, in minibatches of {@code minibatchSize} samples (0: one), each with its own
     * {@link #scratch()} manager, closed after its backward pass; returns the summed loss. The engine's
     * step uses it, and so can an analysis of a method's gradients.
     */
    public <S> double accumulateGradient(TrainingMethod<S> method, List<S> group, int minibatchSize) {
        int n = group.size();
        int size = minibatchSize == 0 ? n : minibatchSize;
        double lossSum = 0;
        for (int start = 0; start < n; start += size) {
            List<S> mb = group.subList(start, Math.min(n, start + size));
            try (NDManager minibatch = manager.newSubManager()) {
                scratch = minibatch;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = method.loss(this, mb);
                    lossSum += loss.getFloat() * mb.size();
                    // the mean over the group's samples, whatever the minibatching
                    gc.backward(Scalars.mul(loss, (double) mb.size() / n));
                }
                policy.finishBackward();
            } finally {
                scratch = manager;
            }
        }
        return lossSum;
    }

    @Override
    public NDArray noise(NDManager target, Shape shape, long... key) {
        return random.normal(target, shape, key);
    }

    @Override
    public SplittableRandom random(long... key) {
        return random.stream(key);
    }

    @Override
    public void metric(String name, double value) {
        double[] sumAndCount = metrics.computeIfAbsent(name, k -> new double[2]);
        sumAndCount[0] += value;
        sumAndCount[1]++;
    }

    /** The method's metrics of this iteration (means over the reports). */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put(k, v[0] / v[1]));
        return out;
    }
}
