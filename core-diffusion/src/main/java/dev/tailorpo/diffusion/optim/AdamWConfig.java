package dev.tailorpo.diffusion.optim;

import dev.tailorpo.api.ConfigException;

/**
 * AdamW's hyperparameters with PyTorch's meaning.
 *
 * @param lr learning rate
 * @param beta1 first-moment decay
 * @param beta2 second-moment decay
 * @param eps added to the bias-corrected root of the second moment
 * @param weightDecay decoupled weight decay (multiplies lr)
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public AdamWConfig {
        if (!(lr > 0)) {
            throw new ConfigException("optimizer.lr must be > 0, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new ConfigException("optimizer betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new ConfigException("optimizer eps must be > 0 and weight_decay >= 0, got " + eps + ", " + weightDecay);
        }
    }

    /** The TailorPO paper's settings with the given learning rate: betas (0.9, 0.999), eps 1e-8, weight decay 1e-4. */
    public static AdamWConfig paper(double lr) {
        return new AdamWConfig(lr, 0.9, 0.999, 1e-8, 1e-4);
    }
}
