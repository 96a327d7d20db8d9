package dev.tailorpo.trainers.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.diffusion.random.KeyedRandom;

import java.util.LinkedHashMap;
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

    void setScratch(NDManager scratch) {
        this.scratch = scratch;
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
