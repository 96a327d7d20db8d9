package dev.tailorpo.trainers.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.diffusion.io.CheckpointStore;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.optim.AdamW;
import dev.tailorpo.diffusion.optim.AdamWConfig;
import dev.tailorpo.diffusion.optim.Gradients;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import dev.tailorpo.trainers.run.MetricsLog;
import dev.tailorpo.trainers.run.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop every preference method shares. Per iteration: draw prompts, let the method
 * roll out and label samples ({@link TrainingMethod#collect}), accumulate the gradient of its loss
 * over minibatches, clip the global norm, take one AdamW step on the LoRA weights, and log the
 * metrics. Every {@code checkpoint_every} iterations it writes the adapters, the optimizer state,
 * the method's own state ({@link TrainingMethod#state}) and the counters atomically; {@link #run}
 * resumes from the newest checkpoint, and since every random draw is keyed by (seed, iteration,
 * purpose), a resumed run continues exactly as the uninterrupted one.
 */
public final class PreferenceTrainer {
    /** The file name diffusers' {@code load_lora_weights(folder)} looks for. */
    public static final String LORA_FILE = "pytorch_lora_weights.safetensors";
    /** The key space of an iteration's prompt draws ({@link #drawPrompts}). */
    public static final long PROMPTS = 1;
    private static final long SHUFFLE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GuidedPolicy policy;
    private final RewardModel reward;
    private final TrainingMethod<?> method;
    private final double lr;
    private final EngineConfig config;
    private final List<String> prompts;
    private final long seed;
    private final RunDirectory run;
    private final NDManager modelManager;

    /** Progress callbacks. */
    public interface Listener {
        void onIteration(Map<String, Object> metrics, long samples, long budget);

        default void onCheckpoint(long iteration, Path dir) {}

        default void onResume(long iteration, long samples) {}
    }

    /**
     * @param policy the LoRA policy being trained
     * @param reward the reward of final images (step-wise rewards are built on it)
     * @param method the method's rules
     * @param lr the learning rate (the method's setting)
     * @param prompts the training prompts, drawn uniformly with replacement
     * @param seed the run seed
     * @param run where checkpoints and metrics go
     * @param modelManager the manager holding the model and the adapters
     */
    public PreferenceTrainer(GuidedPolicy policy, RewardModel reward, TrainingMethod<?> method, double lr,
                             EngineConfig config, List<String> prompts, long seed, RunDirectory run,
                             NDManager modelManager) {
        if (policy.lora() == null) {
            throw new TailorException("preference training needs LoRA adapters on the policy");
        }
        if (prompts.isEmpty()) {
            throw new TailorException("no training prompts");
        }
        this.policy = policy.withLossGradientCheckpointing(config.lossGradientCheckpointing());
        this.reward = reward;
        this.method = method;
        this.lr = lr;
        this.config = config;
        this.prompts = List.copyOf(prompts);
        this.seed = seed;
        this.run = run;
        this.modelManager = modelManager;
    }

    /** Trains until the sample budget is used (resuming if the run has a checkpoint). */
    public void run(Listener listener) {
        Lora lora = policy.lora();
        Map<String, Param> params = new LinkedHashMap<>(lora.namedParameters());
        AdamW optimizer = new AdamW(params, new AdamWConfig(lr, config.beta1(), config.beta2(), config.eps(),
                config.weightDecay()), modelManager);
        CheckpointStore store = new CheckpointStore(run.checkpoints(), config.keepCheckpoints());
        MetricsLog metrics = new MetricsLog(run.metrics());
        int iteration = 0;
        long samples = 0;
        var latest = store.latest();
        if (latest.isPresent()) {
            JsonNode state = restore(latest.get().dir(), lora, optimizer);
            iteration = state.get("iterations").asInt();
            samples = state.get("samples").asLong();
            metrics.truncateFrom(iteration);
            listener.onResume(iteration, samples);
        } else {
            metrics.truncateFrom(0);
        }
        KeyedRandom random = new KeyedRandom(seed);
        PolicyStepwiseReward stepwise = new PolicyStepwiseReward(policy, reward, config.minibatchSize(),
                config.rewardGradientCheckpointing());
        while (samples < config.sampleBudget()) {
            long started = System.nanoTime();
            Map<String, Object> record = new LinkedHashMap<>();
            try (NDManager it = modelManager.newSubManager()) {
                EngineContext ctx = new EngineContext(policy, reward, stepwise, iteration, it, random.child(iteration));
                List<String> batch = drawPrompts(prompts, config.promptsPerIteration(), ctx.random(PROMPTS));
                record.putAll(iterate(method, ctx, batch, params, optimizer));
                samples += ((Number) record.remove("images")).longValue();
                record.putAll(ctx.metrics());
            }
            iteration++;
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("iteration", iteration - 1);
            head.put("samples", samples);
            head.putAll(record);
            head.put("time_s", (System.nanoTime() - started) / 1e9);
            head.put("rss_mb", MemoryProbe.rssMegabytes());
            head.put("peak_rss_mb", MemoryProbe.peakRssMegabytes());
            metrics.append(head);
            listener.onIteration(head, samples, config.sampleBudget());
            if (iteration % config.checkpointEvery() == 0 || samples >= config.sampleBudget()) {
                final int done = iteration;
                final long seen = samples;
                var ckpt = store.save(done, dir -> save(dir, lora, optimizer, done, seen));
                listener.onCheckpoint(done, ckpt.dir());
            }
        }
        lora.save(run.root().resolve(LORA_FILE));
        AtomicFiles.writeString(run.doneMarker(), "iterations " + iteration + "\nsamples " + samples + "\n");
    }

    /**
     * One iteration of a method with sample type S: collect, then for each of the iteration's
     * {@code updates_per_iteration} groups of samples accumulate the gradient over minibatches,
     * clip and step.
     */
    private <S> Map<String, Object> iterate(TrainingMethod<S> m, EngineContext ctx, List<String> batch,
                                            Map<String, Param> params, AdamW optimizer) {
        Experience<S> exp = m.collect(ctx, batch);
        // Collecting may run backward passes through the trainable weights (TailorPO-G's reward
        // gradient through the UNet), and DJL accumulates every backward into the weights' .grad:
        // without this, d r / d theta joined the update and the optimizer descended the reward.
        optimizer.zeroGradients();
        List<S> samples = new ArrayList<>(exp.samples());
        Collections.shuffle(samples, new java.util.Random(ctx.random(SHUFFLE).nextLong()));
        int total = samples.size();
        Map<String, Object> out = new LinkedHashMap<>();
        float[] r = exp.finalRewards();
        out.put("images", r.length);
        out.put("reward_mean", mean(r));
        out.put("reward_std", std(r));
        out.put("train_samples", total);
        if (total == 0) {
            out.put("loss", Double.NaN);
            out.put("grad_norm", 0.0);
            return out;
        }
        int updates = Math.min(config.updatesPerIteration(), total);
        double lossSum = 0;
        double normSum = 0;
        for (int u = 0; u < updates; u++) {
            List<S> group = samples.subList(u * total / updates, (u + 1) * total / updates);
            lossSum += ctx.accumulateGradient(m, group, config.minibatchSize());
            normSum += step(ctx, params, optimizer);
        }
        out.put("loss", lossSum / total);
        out.put("grad_norm", normSum / updates);
        return out;
    }

    /** Clips the accumulated gradient and takes one AdamW step; returns the norm before clipping. */
    private double step(EngineContext ctx, Map<String, Param> params, AdamW optimizer) {
        try (NDManager scope = ctx.manager().newSubManager()) {
            double norm = Gradients.clipGlobalNorm(params.values(), config.gradClip(), scope);
            if (!Double.isFinite(norm)) {
                throw new TailorException("training diverged at iteration " + ctx.iteration()
                        + ": non-finite gradients in " + Gradients.nonFinite(params, scope) + " (weights not updated)");
            }
            optimizer.step();
            return norm;
        }
    }

    /**
     * An iteration's prompts: {@code count} draws with replacement from {@code prompts}. The engine
     * draws with {@code ctx.random(PROMPTS)}; an analysis that wants the engine's batches does the same.
     */
    public static List<String> drawPrompts(List<String> prompts, int count, SplittableRandom r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(prompts.get(r.nextInt(prompts.size())));
        }
        return out;
    }

    private void save(Path dir, Lora lora, AdamW optimizer, int iterations, long samples) throws IOException {
        lora.save(dir.resolve(LORA_FILE));
        SafeTensorsWriter.write(dir.resolve("optimizer.safetensors"), optimizer.state(), Map.of());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("iterations", iterations);
        state.put("samples", samples);
        state.put("optimizer_steps", optimizer.stepCount());
        state.put("seed", seed);
        state.put("method_state", method.state());
        Files.writeString(dir.resolve("state.json"), JSON.writeValueAsString(state));
    }

    private JsonNode restore(Path dir, Lora lora, AdamW optimizer) {
        try {
            JsonNode state = JSON.readTree(dir.resolve("state.json").toFile());
            if (state.get("seed").asLong() != seed) {
                throw new TailorException("checkpoint " + dir + " was made with seed " + state.get("seed")
                        + ", this run has seed " + seed + "; use another run name");
            }
            lora.load(dir.resolve(LORA_FILE), modelManager);
            try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("optimizer.safetensors"));
                 NDManager tmp = modelManager.newSubManager()) {
                Map<String, NDArray> moments = new LinkedHashMap<>();
                for (String k : f.keys()) {
                    moments.put(k, f.load(k, tmp));
                }
                optimizer.load(moments, state.get("optimizer_steps").asLong());
            }
            JsonNode methodState = state.get("method_state");
            method.restoreState(methodState == null ? Map.of()
                    : JSON.convertValue(methodState, new TypeReference<Map<String, Object>>() {}));
            return state;
        } catch (IOException e) {
            throw new ModelFormatException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return v.length < 2 ? 0 : Math.sqrt(s / (v.length - 1));
    }
}
