package dev.tailorpo.diffusion.pipeline;

import dev.tailorpo.api.ConfigException;

/**
 * How to sample: the number of inference steps, DDIM's eta and the classifier-free guidance scale.
 *
 * @param steps T, the number of reverse steps
 * @param eta 0 for deterministic DDIM, 1 for DDPM-like stochastic steps (the paper's setting)
 * @param guidanceScale w in eps_u + w (eps_c - eps_u); 1 disables guidance (one network pass)
 */
public record SamplingSettings(int steps, double eta, double guidanceScale) {
    public SamplingSettings {
        if (steps < 1 || steps > 1000) {
            throw new ConfigException("sampling steps must be in 1..1000, got " + steps);
        }
        if (!(eta >= 0) || !(eta <= 1)) {
            throw new ConfigException("sampling eta must be in [0, 1], got " + eta);
        }
        if (!(guidanceScale >= 0)) {
            throw new ConfigException("guidance scale must be >= 0, got " + guidanceScale);
        }
    }

    /** The TailorPO paper's training setting: 20 DDIM steps, eta 1, guidance 5. */
    public static SamplingSettings paper() {
        return new SamplingSettings(20, 1.0, 5.0);
    }

    /** Whether the unconditional branch is evaluated at all. */
    public boolean guided() {
        return guidanceScale != 1.0;
    }
}
