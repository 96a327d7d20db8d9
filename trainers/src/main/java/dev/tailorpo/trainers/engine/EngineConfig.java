package dev.tailorpo.trainers.engine;

import dev.tailorpo.api.ConfigException;

/**
 * The shared engine's settings (the method's own settings, learning rate included, are separate).
 *
 * @param promptsPerIteration prompts rolled out per iteration (the paper's batch: 2)
 * @param sampleBudget final images to generate in the whole run (the paper: 10,000)
 * @param minibatchSize training samples per forward/backward pass (gradients accumulate over the
 *     minibatches of an update), and rows per pass of TailorPO-G's reward gradient; 0 = all of an
 *     update's samples, and all rows, at once. Neither changes the result, only the memory held
 * @param updatesPerIteration optimizer steps per iteration: the iteration's shuffled samples are
 *     split into this many groups, one AdamW step each (ddpo-pytorch takes several per round of
 *     rollouts, which is what moves PPO's ratio away from 1); capped by the number of samples
 * @param weightDecay AdamW's decoupled weight decay
 * @param beta1 AdamW's first-moment decay
 * @param beta2 AdamW's second-moment decay
 * @param eps AdamW's epsilon
 * @param gradClip the global gradient-norm clip
 * @param checkpointEvery iterations between checkpoints
 * @param keepCheckpoints how many checkpoints to keep
 * @param rewardGradientCheckpointing take TailorPO-G's reward gradient stage by stage (the x0
 *     prediction one guidance branch at a time, each VAE decoder block, the reward model),
 *     recomputing each stage's forward in the backward pass: one stage's graph is held at a time
 *     instead of the whole chain's, for one more forward of each stage. The same gradient up to
 *     float rounding (the guidance branches are summed after their passes instead of inside one)
 * @param lossGradientCheckpointing take the loss's gradient through the UNet one sample and one
 *     guidance branch at a time: the loss is built on policy means computed without a graph, and
 *     after its backward pass each sample's branches are recomputed with a graph and backpropagated
 *     alone ({@link dev.tailorpo.trainers.policy.GuidedPolicy#withLossGradientCheckpointing}). One
 *     UNet pass over one sample holds a graph at a time, for one more UNet pass per minibatch; the
 *     same gradient up to float rounding
 */
public record EngineConfig(int promptsPerIteration, int sampleBudget, int minibatchSize, int updatesPerIteration,
                           double weightDecay, double beta1, double beta2, double eps, double gradClip,
                           int checkpointEvery, int keepCheckpoints, boolean rewardGradientCheckpointing,
                           boolean lossGradientCheckpointing) {
    public EngineConfig {
        if (promptsPerIteration < 1 || sampleBudget < 1 || minibatchSize < 0 || updatesPerIteration < 1
                || checkpointEvery < 1 || keepCheckpoints < 1) {
            throw new ConfigException("engine: prompts_per_iteration, sample_budget, updates_per_iteration, "
                    + "checkpoint_every and keep_checkpoints must be >= 1 and minibatch_size >= 0");
        }
        if (!(gradClip > 0)) {
            throw new ConfigException("engine: grad_clip must be > 0, got " + gradClip);
        }
    }

    /**
     * The paper's settings: 2 prompts, 10,000 samples, one update per iteration, AdamW (0.9, 0.999, 1e-8, wd 1e-4), clip 1;
     * a checkpoint every 50 iterations, the last 2 kept; every gradient through one graph.
     */
    public static EngineConfig defaults() {
        return new EngineConfig(2, 10_000, 0, 1, 1e-4, 0.9, 0.999, 1e-8, 1.0, 50, 2, false, false);
    }
}
