package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.ConfigException;

import java.util.List;

/**
 * The architecture of a {@link CriticNet}, stored as the model folder's {@code config.json}.
 *
 * @param imageSize the input side (32 for the shapes world)
 * @param channels output channels of the conv stages; every stage after the first halves the side
 * @param groups GroupNorm groups
 * @param outputs the size of the final linear layer (1 for a regressor, the sum of the heads for a
 *     classifier)
 */
public record CriticConfig(int imageSize, List<Integer> channels, int groups, int outputs) {
    public CriticConfig {
        channels = List.copyOf(channels);
        if (channels.isEmpty() || imageSize <= 0 || outputs <= 0) {
            throw new ConfigException("critic config needs image_size > 0, channels and outputs > 0");
        }
        for (int c : channels) {
            if (c % groups != 0) {
                throw new ConfigException("critic channels " + c + " do not split into " + groups + " groups");
            }
        }
    }
}
