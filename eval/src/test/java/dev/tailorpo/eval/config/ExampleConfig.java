package dev.tailorpo.eval.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A config shaped like the real ones will be (nested records, lists of records, maps, paths, enums),
 * for the loader's tests only. Defaults come from {@link #defaults()}; {@code note} defaults to null
 * (optional); {@link Reward} has no defaults, so its keys are required.
 */
record ExampleConfig(String name, int seed, Train train, List<Reward> rewards, Map<String, Double> weights,
                     Path output, Mode mode, String note) {

    enum Mode { FAST, CAREFUL }

    static ExampleConfig defaults() {
        return new ExampleConfig("example", 0, Train.defaults(), List.of(new Reward("shapes-aesthetic", 1.0)),
                Map.of(), Path.of("runs"), Mode.FAST, null);
    }

    record Train(int steps, double beta, Optimizer optimizer, List<Integer> timesteps) {
        Train {
            if (!(beta > 0)) {
                throw new IllegalArgumentException("beta must be > 0, got " + beta);
            }
            timesteps = List.copyOf(timesteps);
        }

        static Train defaults() {
            return new Train(100, 0.1, Optimizer.defaults(), List.of(0, 1, 2));
        }
    }

    record Optimizer(double lr, double weightDecay, List<Double> betas) {
        static Optimizer defaults() {
            return new Optimizer(1e-4, 0.0, List.of(0.9, 0.999));
        }
    }

    record Reward(String id, double weight) {}

    /** No defaults at all: every key is required. */
    record Strict(String model, int steps) {}
}
