package dev.tailorpo.diffusion.pipeline;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * One sampled reverse process for a batch.
 *
 * @param states x_T, x_{t_1}, ..., x_0: {@code steps + 1} arrays (B, C, H, W) when recorded, else
 *     only the final one
 * @param logProbs per step, the log-probability (mean over elements) of each row's transition, or
 *     {@code null} for deterministic sampling (eta 0)
 */
public record Trajectory(List<NDArray> states, float[][] logProbs) {
    public Trajectory {
        states = List.copyOf(states);
    }

    /** The final samples x_0. */
    public NDArray last() {
        return states.get(states.size() - 1);
    }
}
