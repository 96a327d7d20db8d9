package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;

/**
 * The inference timesteps of diffusers' {@code set_timesteps} for DDIM and DDPM (Table 2 of
 * "Common Diffusion Noise Schedules and Sample Steps are Flawed"), noisiest first. numpy's round
 * (half to even) is {@link Math#rint}.
 */
final class TimestepSpacing {
    private TimestepSpacing() {}

    static int[] timesteps(SchedulerConfig config, int numInferenceSteps) {
        int trainSteps = config.numTrainTimesteps();
        if (numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
            throw new InvalidInputException("num_inference_steps must be in [1, " + trainSteps
                    + "] (num_train_timesteps), got " + numInferenceSteps);
        }
        int n = numInferenceSteps;
        int[] out = new int[n];
        switch (config.timestepSpacing()) {
            case "leading" -> {
                // arange(0, n) * (T // n), reversed, + steps_offset: SD's 981, 961, ... for T=1000, n=50
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (n - 1 - i) * ratio + config.stepsOffset();
                }
            }
            case "trailing" -> {
                // round(arange(T, 0, -T/n)) - 1: starts at the last training timestep, steps_offset unused.
                // numpy fills arange as start + i * (a[1] - a[0]); the same rounding keeps every n equal.
                // For some n (61, 103, ...) numpy's arange yields n + 1 values, so diffusers appends a
                // timestep -1; we keep exactly n.
                double ratio = (double) trainSteps / n;
                double delta = (trainSteps - ratio) - trainSteps;
                for (int i = 0; i < n; i++) {
                    out[i] = (int) Math.rint(trainSteps + i * delta) - 1;
                }
            }
            case "linspace" -> {
                // round(linspace(0, T - 1, n)), reversed; steps_offset unused
                double[] lin = numpyLinspace(0, trainSteps - 1, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (int) Math.rint(lin[n - 1 - i]);
                }
            }
            default -> throw new IllegalStateException("SchedulerConfig admitted spacing " + config.timestepSpacing());
        }
        return out;
    }

    /** numpy's linspace in float64: n evenly spaced values, the last exactly {@code end}. */
    private static double[] numpyLinspace(double start, double end, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (end - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = end;
        return out;
    }
}
