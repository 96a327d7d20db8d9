package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.api.scheduler.SchedulerStep;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * What DDIM and DDPM share: the noise schedule, the conversions between the three prediction types
 * and the forward process. Subclasses supply the inference timesteps and the reverse step.
 *
 * <p>Memory: every result is computed by an op called on {@code sample}, {@code modelOutput},
 * {@code original} or {@code noise} (never on an array the scheduler owns, it owns none), so it
 * lands in the caller's manager; coefficients are Java doubles turned into per-call scalars.
 * Intermediate arrays are closed as soon as they are consumed; libtorch keeps what autograd saved,
 * so closing a handle never breaks a backward pass.
 */
abstract class AbstractNoiseScheduler implements NoiseScheduler {

    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;

    protected AbstractNoiseScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    /** The training schedule in float64. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public float[] alphasCumprod() {
        return schedule.alphasCumprodFloat();
    }

    /**
     * x0_hat, clipped to +-clip_sample_range when the config says so (as diffusers clips it before
     * the step uses it). For {@code sample} prediction without clipping this is {@code modelOutput}
     * itself.
     */
    @Override
    public NDArray predictOriginalSample(NDArray modelOutput, int timestep, NDArray sample) {
        NDArray x0 = unclippedOriginalSample(modelOutput, timestep, sample);
        if (!config.clipSample()) {
            return x0;
        }
        float r = (float) config.clipSampleRange();
        NDArray clipped = x0.clip(-r, r);
        if (x0 != modelOutput) {
            x0.close();
        }
        return clipped;
    }

    /**
     * The noise estimate from the unclipped x0 (diffusers' default {@code use_clipped_model_output=False}).
     * For {@code epsilon} prediction this is {@code modelOutput} itself.
     */
    @Override
    public NDArray predictEpsilon(NDArray modelOutput, int timestep, NDArray sample) {
        double a = schedule.alphaCumprod(timestep);
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(1 - a);
        return switch (config.predictionType()) {
            case "epsilon" -> modelOutput;
            case "sample" -> combine(sample, 1 / sb, modelOutput, -sa / sb);   // (x_t - sa x0) / sb
            case "v_prediction" -> combine(modelOutput, sa, sample, sb);      // sa v + sb x_t
            default -> throw unknownPrediction();
        };
    }

    private NDArray unclippedOriginalSample(NDArray modelOutput, int timestep, NDArray sample) {
        double a = schedule.alphaCumprod(timestep);
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(1 - a);
        return switch (config.predictionType()) {
            case "epsilon" -> combine(sample, 1 / sa, modelOutput, -sb / sa);  // (x_t - sb eps) / sa
            case "sample" -> modelOutput;
            case "v_prediction" -> combine(sample, sa, modelOutput, -sb);     // sa x_t - sb v
            default -> throw unknownPrediction();
        };
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int[] timesteps) {
        requireSameShape(original, noise, "addNoise: noise");
        try (NDArray sa = perBatchElement(original, timesteps, t -> Math.sqrt(schedule.alphaCumprod(t)));
             NDArray sb = perBatchElement(original, timesteps, t -> Math.sqrt(1 - schedule.alphaCumprod(t)))) {
            return combine(original, sa, noise, sb);
        }
    }

    /** epsilon: the noise; sample: the original (both the same array); v: sqrt(alphā) noise - sqrt(1 - alphā) x0. */
    @Override
    public NDArray trainingTarget(NDArray original, NDArray noise, int[] timesteps) {
        requireSameShape(original, noise, "trainingTarget: noise");
        return switch (config.predictionType()) {
            case "epsilon" -> noise;
            case "sample" -> original;
            case "v_prediction" -> {
                try (NDArray sa = perBatchElement(noise, timesteps, t -> Math.sqrt(schedule.alphaCumprod(t)));
                     NDArray sb = perBatchElement(noise, timesteps, t -> -Math.sqrt(1 - schedule.alphaCumprod(t)))) {
                    yield combine(noise, sa, original, sb);
                }
            }
            default -> throw unknownPrediction();
        };
    }

    /**
     * Assembles the Gaussian policy's step: prevSample = mean + std * noise (the mean itself when
     * there is no noise or std is 0), std as a 0-d array in the sample's manager.
     */
    protected static SchedulerStep gaussianStep(NDArray sample, NDArray x0, NDArray eps, NDArray mean, double std,
                                                NDArray varianceNoise) {
        NDArray stdArray = sample.getManager().create((float) std);
        NDArray prev = mean;
        if (varianceNoise != null && std != 0) {
            requireSameShape(sample, varianceNoise, "step: varianceNoise");
            try (NDArray scaled = Scalars.mul(varianceNoise, std)) {
                prev = mean.add(scaled);
            }
        }
        return new SchedulerStep(prev, x0, eps, mean, stdArray);
    }

    /** a x + b y with scalar coefficients; the result lands in x's manager. */
    protected static NDArray combine(NDArray x, double a, NDArray y, double b) {
        try (NDArray ax = Scalars.mul(x, a); NDArray by = Scalars.mul(y, b)) {
            return ax.add(by);
        }
    }

    /** a x + b y with broadcast coefficient arrays; the result lands in x's manager. */
    protected static NDArray combine(NDArray x, NDArray a, NDArray y, NDArray b) {
        try (NDArray ax = x.mul(a); NDArray by = y.mul(b)) {
            return ax.add(by);
        }
    }

    /** f(t_i) for each batch element, shaped (B, 1, ..., 1) to broadcast over {@code like}. */
    protected static NDArray perBatchElement(NDArray like, int[] timesteps, IntToDoubleFunction f) {
        Shape shape = like.getShape();
        if (shape.dimension() == 0 || timesteps.length != shape.get(0)) {
            throw new InvalidInputException("got " + timesteps.length + " timesteps for a batch of shape " + shape
                    + "; pass one timestep per batch element");
        }
        float[] values = new float[timesteps.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) f.applyAsDouble(timesteps[i]);
        }
        long[] dims = new long[shape.dimension()];
        Arrays.fill(dims, 1);
        dims[0] = timesteps.length;
        return like.getManager().create(values, new Shape(dims));
    }

    protected static void requireSameShape(NDArray expected, NDArray actual, String what) {
        if (!expected.getShape().equals(actual.getShape())) {
            throw new InvalidInputException(what + " has shape " + actual.getShape() + ", expected "
                    + expected.getShape());
        }
    }

    protected static void requireEta(double eta) {
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new InvalidInputException("eta must be a finite number >= 0, got " + eta);
        }
    }

    private IllegalStateException unknownPrediction() {
        // SchedulerConfig validates prediction_type, so this is a programming error
        return new IllegalStateException("prediction_type " + config.predictionType());
    }
}
