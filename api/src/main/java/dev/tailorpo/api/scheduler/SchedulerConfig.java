package dev.tailorpo.api.scheduler;

import dev.tailorpo.api.ConfigException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a diffusers {@code scheduler_config.json} that define the noise schedule and the
 * sampling rule, with diffusers' defaults. Keys a scheduler does not use (diffusers configs carry
 * many) are ignored; values of the wrong type fail naming the key.
 *
 * @param className the diffusers class, e.g. {@code DDIMScheduler}
 * @param numTrainTimesteps length of the training schedule (1000 for SD)
 * @param betaStart first beta
 * @param betaEnd last beta
 * @param betaSchedule {@code linear}, {@code scaled_linear} or {@code squaredcos_cap_v2}
 * @param trainedBetas explicit betas, overriding the schedule, or {@code null}
 * @param predictionType {@code epsilon}, {@code v_prediction} or {@code sample}
 * @param clipSample whether x0 predictions are clipped
 * @param clipSampleRange the clip bound
 * @param setAlphaToOne whether the step after the last uses alphā = 1 (else alphā_0)
 * @param stepsOffset added to every inference timestep (SD: 1)
 * @param timestepSpacing {@code leading}, {@code trailing} or {@code linspace}
 * @param rescaleBetasZeroSnr whether betas are rescaled to zero terminal SNR
 * @param varianceType DDPM's variance rule ({@code fixed_small} or {@code fixed_large})
 */
public record SchedulerConfig(String className, int numTrainTimesteps, double betaStart, double betaEnd,
                              String betaSchedule, double[] trainedBetas, String predictionType,
                              boolean clipSample, double clipSampleRange, boolean setAlphaToOne,
                              int stepsOffset, String timestepSpacing, boolean rescaleBetasZeroSnr,
                              String varianceType) {

    private static final Set<String> SCHEDULES = Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
    private static final Set<String> PREDICTIONS = Set.of("epsilon", "v_prediction", "sample");
    private static final Set<String> SPACINGS = Set.of("leading", "trailing", "linspace");

    public SchedulerConfig {
        require(numTrainTimesteps > 0, "num_train_timesteps must be > 0, got " + numTrainTimesteps);
        require(SCHEDULES.contains(betaSchedule) || trainedBetas != null,
                "beta_schedule must be one of " + SCHEDULES + ", got '" + betaSchedule + "'");
        require(PREDICTIONS.contains(predictionType),
                "prediction_type must be one of " + PREDICTIONS + ", got '" + predictionType + "'");
        require(SPACINGS.contains(timestepSpacing),
                "timestep_spacing must be one of " + SPACINGS + ", got '" + timestepSpacing + "'");
        require(trainedBetas == null || trainedBetas.length == numTrainTimesteps,
                "trained_betas has " + (trainedBetas == null ? 0 : trainedBetas.length)
                        + " values but num_train_timesteps is " + numTrainTimesteps);
        trainedBetas = trainedBetas == null ? null : trainedBetas.clone();
    }

    /** SD 1.5's DDIM configuration. */
    public static SchedulerConfig stableDiffusionDdim() {
        return new SchedulerConfig("DDIMScheduler", 1000, 0.00085, 0.012, "scaled_linear", null, "epsilon",
                false, 1.0, false, 1, "leading", false, "fixed_small");
    }

    /**
     * Reads the fields from a parsed {@code scheduler_config.json}. Missing keys take diffusers'
     * defaults for the class named in {@code _class_name}.
     */
    public static SchedulerConfig fromMap(Map<String, ?> json) {
        return new SchedulerConfig(
                string(json, "_class_name", "DDIMScheduler"),
                (int) number(json, "num_train_timesteps", 1000),
                number(json, "beta_start", 0.0001),
                number(json, "beta_end", 0.02),
                string(json, "beta_schedule", "linear"),
                doubles(json, "trained_betas"),
                string(json, "prediction_type", "epsilon"),
                bool(json, "clip_sample", true),
                number(json, "clip_sample_range", 1.0),
                bool(json, "set_alpha_to_one", true),
                (int) number(json, "steps_offset", 0),
                string(json, "timestep_spacing", "leading"),
                bool(json, "rescale_betas_zero_snr", false),
                string(json, "variance_type", "fixed_small"));
    }

    /** The config as diffusers writes it. */
    public Map<String, Object> toMap() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("_class_name", className);
        m.put("num_train_timesteps", numTrainTimesteps);
        m.put("beta_start", betaStart);
        m.put("beta_end", betaEnd);
        m.put("beta_schedule", betaSchedule);
        m.put("trained_betas", trainedBetas == null ? null : java.util.Arrays.stream(trainedBetas).boxed().toList());
        m.put("prediction_type", predictionType);
        m.put("clip_sample", clipSample);
        m.put("clip_sample_range", clipSampleRange);
        m.put("set_alpha_to_one", setAlphaToOne);
        m.put("steps_offset", stepsOffset);
        m.put("timestep_spacing", timestepSpacing);
        m.put("rescale_betas_zero_snr", rescaleBetasZeroSnr);
        m.put("variance_type", varianceType);
        return m;
    }

    /** A copy with another class name (to switch DDIM and DDPM on one schedule). */
    public SchedulerConfig withClassName(String name) {
        return new SchedulerConfig(name, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                predictionType, clipSample, clipSampleRange, setAlphaToOne, stepsOffset, timestepSpacing,
                rescaleBetasZeroSnr, varianceType);
    }

    /** A copy with another prediction type. */
    public SchedulerConfig withPredictionType(String type) {
        return new SchedulerConfig(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                type, clipSample, clipSampleRange, setAlphaToOne, stepsOffset, timestepSpacing,
                rescaleBetasZeroSnr, varianceType);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException("scheduler config: " + message);
        }
    }

    private static String string(Map<String, ?> json, String key, String fallback) {
        Object v = json.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw new ConfigException("scheduler config: '" + key + "' must be a string, got " + v);
        }
        return s;
    }

    private static double number(Map<String, ?> json, String key, double fallback) {
        Object v = json.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new ConfigException("scheduler config: '" + key + "' must be a number, got " + v);
        }
        return n.doubleValue();
    }

    private static boolean bool(Map<String, ?> json, String key, boolean fallback) {
        Object v = json.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new ConfigException("scheduler config: '" + key + "' must be true or false, got " + v);
        }
        return b;
    }

    private static double[] doubles(Map<String, ?> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new ConfigException("scheduler config: '" + key + "' must be a list of numbers");
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new ConfigException("scheduler config: '" + key + "[" + i + "]' must be a number");
            }
            out[i] = n.doubleValue();
        }
        return out;
    }
}
