package dev.tailorpo.api.trainer;

import java.util.List;

/**
 * What one round of rollouts produced: the samples to train on and the reward of every final image
 * (for the reward curve), in the order of the rollouts.
 *
 * @param samples method-specific training samples (pairs, transitions)
 * @param finalRewards the reward of each final image of the round, as the reward model gives it
 * @param <S> the sample type
 */
public record Experience<S>(List<S> samples, float[] finalRewards) {
    public Experience {
        samples = List.copyOf(samples);
        finalRewards = finalRewards.clone();
    }
}
