package dev.tailorpo.trainers.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.Gaussian;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerStep;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy;
import dev.tailorpo.api.trainer.PolicyStep;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.nn.ChainGradient;
import dev.tailorpo.diffusion.scheduler.Schedulers;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.GradMode;
import dev.tailorpo.diffusion.pipeline.PromptEmbeddings;
import dev.tailorpo.diffusion.pipeline.Sampler;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The policy of preference training: a diffusers model with LoRA adapters, sampled with guided
 * DDIM. The reference policy is the same network with its adapters switched off, so no second copy
 * of the weights exists.
 *
 * <p>With loss gradient checkpointing ({@link #withLossGradientCheckpointing}) a policy transition
 * inside a gradient collector is computed in one batched pass without a graph, and its mean is a
 * leaf. {@link #finishBackward} then recomputes the mean one row and one guidance branch at a time
 * with the graph and backpropagates the leaf's gradient through it (a vector-Jacobian product,
 * {@link ChainGradient#backward}): the graph of one network pass over one sample is held at a time
 * instead of the batched pass's during the whole loss, for one more network pass.
 */
public final class GuidedPolicy implements DiffusionPolicy {
    private final DiffusionModel model;
    private final Sampler sampler;
    private final SamplingSettings settings;
    private final Lora lora;
    private final int[] timesteps;
    private final boolean lossGradientCheckpointing;
    /** Policy transitions of the loss being built whose network graph {@link #finishBackward} recomputes. */
    private final List<DeferredMean> deferred = new ArrayList<>();

    public GuidedPolicy(DiffusionModel model, NoiseScheduler scheduler, SamplingSettings settings, Lora lora) {
        this(model, scheduler, settings, lora, false);
    }

    private GuidedPolicy(DiffusionModel model, NoiseScheduler scheduler, SamplingSettings settings, Lora lora,
                         boolean lossGradientCheckpointing) {
        this.model = model;
        this.sampler = new Sampler(model, scheduler);
        this.settings = settings;
        this.lora = lora;
        this.timesteps = scheduler.timesteps(settings.steps());
        this.lossGradientCheckpointing = lossGradientCheckpointing;
    }

    /**
     * This policy (same model, adapters and settings) with or without loss gradient checkpointing
     * (see the class comment).
     */
    public GuidedPolicy withLossGradientCheckpointing(boolean enabled) {
        return enabled == lossGradientCheckpointing ? this
                : new GuidedPolicy(model, sampler.scheduler(), settings, lora, enabled);
    }

    /**
     * Loads a diffusers snapshot with fresh LoRA adapters (B = 0, so it starts as the base model),
     * sampled with DDIM ({@link #ddim}).
     */
    public static GuidedPolicy load(Path snapshot, SamplingSettings settings, LoraConfig lora, long seed, NDManager manager) {
        DiffusionModel model = DiffusionModel.load(snapshot, manager);
        return ddim(model, settings, Lora.attach(model.unet(), lora, manager, seed));
    }

    /**
     * The policy of a loaded model whose UNet carries {@code lora}, sampled with DDIM whatever
     * scheduler the snapshot names (every method's Gaussian policy is the DDIM step with eta).
     */
    public static GuidedPolicy ddim(DiffusionModel model, SamplingSettings settings, Lora lora) {
        return new GuidedPolicy(model, Schedulers.create(model.schedule().withClassName("DDIMScheduler")), settings, lora);
    }

    public DiffusionModel model() {
        return model;
    }

    public Sampler sampler() {
        return sampler;
    }

    public SamplingSettings settings() {
        return settings;
    }

    public Lora lora() {
        return lora;
    }

    @Override
    public int steps() {
        return settings.steps();
    }

    @Override
    public int timestep(int stepIndex) {
        return timesteps[stepIndex];
    }

    @Override
    public Shape sampleShape() {
        return model.sampleShape();
    }

    @Override
    public Conditioning encode(List<String> prompts, NDManager manager) {
        return PromptEmbeddings.encode(model, prompts, manager);
    }

    @Override
    public PolicyStep step(Conditioning c, NDArray x, int stepIndex, NDArray noise) {
        try (GradMode g = GradMode.disabled()) {
            SchedulerStep s = sampler.step(embeddings(c), x, stepIndex, settings, noise);
            return new PolicyStep(s.prevSample(), new Gaussian(s.mean(), s.std()), s.predOriginalSample());
        }
    }

    @Override
    public Gaussian transition(Conditioning c, NDArray x, int stepIndex, Branch branch) {
        PromptEmbeddings pe = embeddings(c);
        if (branch == Branch.REFERENCE) {
            return withoutGraph(pe, x, stepIndex, false);
        }
        if (lossGradientCheckpointing && JniUtils.isGradMode()) {   // inside a loss's gradient collector
            Gaussian g = withoutGraph(pe, x, stepIndex, true);
            g.mean().setRequiresGradient(true);
            deferred.add(new DeferredMean(pe, stepIndex, x, g.mean()));
            return g;
        }
        try (Adapters on = adapters(true)) {
            SchedulerStep s = sampler.step(pe, x, stepIndex, settings, null);
            return new Gaussian(s.mean(), s.std());
        }
    }

    @Override
    public void finishBackward() {
        try (Adapters on = adapters(true)) {
            for (DeferredMean d : deferred) {
                NDArray upstream = d.mean().getGradient();
                // a row's mean depends on its own x and prompt only, so each row is its own pass
                for (int row = 0; row < d.x().getShape().get(0); row++) {
                    backwardRow(d, row, upstream);
                }
                upstream.close();
            }
        } finally {
            deferred.clear();
        }
    }

    /** Backpropagates row {@code row} of {@code upstream} through that row's step mean, one guidance term per pass. */
    private void backwardRow(DeferredMean d, int row, NDArray upstream) {
        try (NDManager rowScope = d.x().getManager().newSubManager()) {
            PromptEmbeddings c = d.c().select(row);
            c.conditional().attach(rowScope);
            c.unconditional().attach(rowScope);
            NDArray x = d.x().get(row + ":" + (row + 1));
            x.attach(rowScope);
            NDArray g = upstream.get(row + ":" + (row + 1));
            g.attach(rowScope);
            for (UnaryOperator<NDArray> term : sampler.stepMeanTerms(c, d.stepIndex(), settings)) {
                ChainGradient.backward(term, x, g);
            }
        }
    }

    /** The step's Gaussian computed without a graph, with the adapters on (the policy) or off (the reference). */
    private Gaussian withoutGraph(PromptEmbeddings c, NDArray x, int stepIndex, boolean adaptersOn) {
        try (GradMode g = GradMode.disabled(); Adapters a = adapters(adaptersOn)) {
            SchedulerStep s = sampler.step(c, x, stepIndex, settings, null);
            return new Gaussian(s.mean(), s.std());
        }
    }

    @Override
    public NDArray predictX0(Conditioning c, NDArray x, int stepIndex, boolean epsConstant) {
        PromptEmbeddings pe = embeddings(c);
        if (!epsConstant) {
            return sampler.predictX0(pe, x, stepIndex, settings);
        }
        int t = timestep(stepIndex);
        NDArray out;
        try (GradMode g = GradMode.disabled()) {
            out = sampler.denoiser().predict(pe, x.stopGradient(), t, settings.guidanceScale());
        }
        // the model output enters as a constant: the gradient reaches x only through x itself
        return sampler.scheduler().predictOriginalSample(out, t, x);
    }

    @Override
    public List<UnaryOperator<NDArray>> predictX0Terms(Conditioning c, int stepIndex, boolean epsConstant) {
        if (epsConstant) {   // one pass without a graph: nothing to split
            return DiffusionPolicy.super.predictX0Terms(c, stepIndex, true);
        }
        return sampler.predictX0Terms(embeddings(c), stepIndex, settings);
    }

    @Override
    public NDArray toImages(NDArray samples) {
        return model.toImages(samples);
    }

    @Override
    public List<UnaryOperator<NDArray>> toImagesStages() {
        return model.toImagesStages();
    }

    private static PromptEmbeddings embeddings(Conditioning c) {
        if (c instanceof PromptEmbeddings pe) {
            return pe;
        }
        throw new InvalidInputException("conditioning of type " + c.getClass().getName()
                + " was not made by this policy's encode()");
    }

    /** Switches the adapters for a block and back to on afterwards (a no-op without LoRA). */
    private Adapters adapters(boolean enabled) {
        if (lora != null) {
            lora.setEnabled(enabled);
        } else if (!enabled) {
            throw new InvalidInputException("the reference policy needs LoRA adapters to switch off");
        }
        return () -> {
            if (lora != null) {
                lora.setEnabled(true);
            }
        };
    }

    /** A policy transition's mean computed without a graph from {@code x}, {@code c} and the step. */
    private record DeferredMean(PromptEmbeddings c, int stepIndex, NDArray x, NDArray mean) {}

    /** An adapter switch that restores the trained policy on close. */
    private interface Adapters extends AutoCloseable {
        @Override
        void close();
    }
}
