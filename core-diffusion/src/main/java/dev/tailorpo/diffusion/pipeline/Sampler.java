package dev.tailorpo.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.tensor.Scalars;
import dev.tailorpo.api.scheduler.SchedulerStep;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Text-to-image sampling with classifier-free guidance over a scheduler's inference schedule,
 * exposing each step (x_t, the guided model output, x0_hat, x_{t-1} and its log-probability) so
 * that trainers can build on it.
 */
public final class Sampler {
    private final DiffusionModel model;
    private final NoiseScheduler scheduler;
    private final GuidedDenoiser denoiser;

    public Sampler(DiffusionModel model, NoiseScheduler scheduler) {
        this.model = model;
        this.scheduler = scheduler;
        this.denoiser = new GuidedDenoiser(model.unet());
    }

    public DiffusionModel model() {
        return model;
    }

    public NoiseScheduler scheduler() {
        return scheduler;
    }

    public GuidedDenoiser denoiser() {
        return denoiser;
    }

    /** The timestep of step index {@code stepIndex} in a schedule of {@code steps} steps. */
    public int timestep(int stepIndex, int steps) {
        return scheduler.timesteps(steps)[stepIndex];
    }

    /**
     * One guided reverse step from {@code x} at step index {@code stepIndex}; records a graph only
     * when grad mode is on. Results live in the manager of {@code x}.
     *
     * @param noise standard-normal noise of x's shape, or {@code null} for the mean
     */
    public SchedulerStep step(PromptEmbeddings c, NDArray x, int stepIndex, SamplingSettings s, NDArray noise) {
        int[] ts = scheduler.timesteps(s.steps());
        int t = ts[stepIndex];
        int prev = scheduler.previousTimestep(t, s.steps());
        NDArray out = denoiser.predict(c, x, t, s.guidanceScale());
        return scheduler.step(out, t, prev, x, s.eta(), noise);
    }

    /**
     * x0_hat of {@code x} read at step index {@code stepIndex}'s timestep under guidance; keeps the
     * graph when grad mode is on.
     */
    public NDArray predictX0(PromptEmbeddings c, NDArray x, int stepIndex, SamplingSettings s) {
        int t = scheduler.timesteps(s.steps())[stepIndex];
        return scheduler.predictOriginalSample(denoiser.predict(c, x, t, s.guidanceScale()), t, x);
    }

    /**
     * {@link #predictX0} as terms whose sum it is, each from one network pass over x alone: with
     * guidance w, {@code (1 - w) x0(out_u) + w x0(out_c)} (see {@link #guidanceTerms}).
     */
    public List<UnaryOperator<NDArray>> predictX0Terms(PromptEmbeddings c, int stepIndex, SamplingSettings s) {
        int t = scheduler.timesteps(s.steps())[stepIndex];
        return guidanceTerms(c, s, t, x -> predictX0(c, x, stepIndex, s),
                (out, x) -> scheduler.predictOriginalSample(out, t, x));
    }

    /**
     * The mean of {@link #step} as terms whose sum it is, each from one network pass over x alone:
     * {@code (1 - w) mean(out_u) + w mean(out_c)} (see {@link #guidanceTerms}).
     */
    public List<UnaryOperator<NDArray>> stepMeanTerms(PromptEmbeddings c, int stepIndex, SamplingSettings s) {
        int t = scheduler.timesteps(s.steps())[stepIndex];
        int prev = scheduler.previousTimestep(t, s.steps());
        return guidanceTerms(c, s, t, x -> step(c, x, stepIndex, s, null).mean(),
                (out, x) -> scheduler.step(out, t, prev, x, s.eta(), null).mean());
    }

    /**
     * A readout of the guided model output as the sum of an unconditional and a conditional term,
     * {@code (1 - w) readout(out_u, x) + w readout(out_c, x)}. That equals {@code readout(out_u +
     * w (out_c - out_u), x)} when the readout is jointly affine in x and the model output, as the
     * unclipped x0 and the step's mean are (for noise, v or sample prediction), because the two
     * weights sum to 1; the float rounding differs from the batched pass in the last bits. One term,
     * {@code whole}, without guidance or when the scheduler clips x0, which is not affine.
     */
    private List<UnaryOperator<NDArray>> guidanceTerms(PromptEmbeddings c, SamplingSettings s, int t,
                                                       UnaryOperator<NDArray> whole,
                                                       BinaryOperator<NDArray> readout) {
        double w = s.guidanceScale();
        if (w == 1.0 || scheduler.config().clipSample()) {
            return List.of(whole);
        }
        PromptEmbeddings unconditional = new PromptEmbeddings(c.prompts(), c.unconditional(), c.unconditional());
        return List.of(
                x -> Scalars.mul(readout.apply(denoiser.predict(unconditional, x, t, 1.0), x), 1 - w),
                x -> Scalars.mul(readout.apply(denoiser.predict(c, x, t, 1.0), x), w));
    }

    /**
     * Runs the whole reverse process without recording a graph.
     *
     * @param keep where the returned states live
     * @param recordStates whether to keep every intermediate state (else only x_0)
     */
    public Trajectory run(PromptEmbeddings c, SamplingSettings s, StepNoise noise, NDManager keep, boolean recordStates) {
        Shape shape = new Shape(c.size()).addAll(model.sampleShape());
        List<NDArray> states = new ArrayList<>();
        float[][] logProbs = s.eta() > 0 ? new float[s.steps()][] : null;
        try (GradMode g = GradMode.disabled()) {
            NDArray x = noise.initial(shape, keep);
            for (int i = 0; i < s.steps(); i++) {
                if (recordStates) {
                    states.add(x);
                }
                try (NDManager scope = keep.newSubManager()) {
                    // a recorded state goes back to keep when the scope closes; any other is freed with it
                    if (recordStates) {
                        x.tempAttach(scope);
                    } else {
                        x.attach(scope);
                    }
                    NDArray z = s.eta() > 0 ? noise.step(i, shape, scope) : null;
                    SchedulerStep step = step(c, x, i, s, z);
                    NDArray next = step.prevSample();
                    if (logProbs != null) {
                        logProbs[i] = step.logProb(next).toFloatArray();
                    }
                    next.attach(keep);
                    x = next;
                }
            }
            states.add(x);
        }
        return new Trajectory(states, logProbs);
    }
}
