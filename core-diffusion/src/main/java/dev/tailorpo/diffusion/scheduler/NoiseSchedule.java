package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;

/**
 * The training noise schedule: betas and their cumulative product alphā_t = prod_{s<=t} (1 - beta_s).
 *
 * <p>Everything is computed in float64. diffusers computes the same values in float32 torch; on SD
 * 1.5's scaled_linear schedule the float64 values, rounded to float, differ from diffusers' by at most
 * 4.8e-7 absolute (9.5e-7 relative), which is the size of diffusers' own float32 rounding (a float32
 * imitation of torch's linspace and cumprod is no closer: 3.6e-7 / 9.5e-7). Keeping float64 makes the
 * small differences the DDIM variance takes near t = 0 (1 - alphā_t / alphā_prev ~ 1e-3) exact on our
 * side: the fixture's std at t = 1 is matched to 5e-6 relative, where float32 arithmetic alone errs by
 * more.
 */
public final class NoiseSchedule {

    /** diffusers' cap on the cosine schedule's betas (betas_for_alpha_bar's max_beta). */
    static final double COSINE_MAX_BETA = 0.999;

    private final double[] betas;
    private final double[] alphasCumprod;

    private NoiseSchedule(double[] betas) {
        this.betas = betas;
        this.alphasCumprod = cumprodOfOneMinus(betas);
    }

    /** The schedule a diffusers config describes (trained_betas win over beta_schedule, as in diffusers). */
    public static NoiseSchedule of(SchedulerConfig config) {
        double[] betas = config.trainedBetas() != null
                ? config.trainedBetas().clone()
                : betas(config.betaSchedule(), config.betaStart(), config.betaEnd(), config.numTrainTimesteps());
        if (config.rescaleBetasZeroSnr()) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        return new NoiseSchedule(betas);
    }

    /** Betas for one of diffusers' named schedules. */
    public static double[] betas(String schedule, double betaStart, double betaEnd, int n) {
        return switch (schedule) {
            case "linear" -> linspace(betaStart, betaEnd, n);
            case "scaled_linear" -> {
                // latent diffusion's schedule: linear in sqrt(beta)
                double[] b = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
                for (int i = 0; i < n; i++) {
                    b[i] = b[i] * b[i];
                }
                yield b;
            }
            case "squaredcos_cap_v2" -> cosineBetas(n);
            default -> throw new ConfigException("scheduler config: beta_schedule '" + schedule
                    + "' is not one of linear, scaled_linear, squaredcos_cap_v2");
        };
    }

    /**
     * The Glide/iDDPM cosine schedule as diffusers' {@code betas_for_alpha_bar}: beta_i =
     * min(1 - alpha_bar((i+1)/n) / alpha_bar(i/n), 0.999) with alpha_bar(t) = cos((t + 0.008) / 1.008 pi/2)^2.
     */
    static double[] cosineBetas(int n) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            b[i] = Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), COSINE_MAX_BETA);
        }
        return b;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * diffusers' {@code rescale_zero_terminal_snr} (Lin et al. 2023, Algorithm 1): shift and scale
     * sqrt(alphā) so that the last timestep has exactly zero signal while the first keeps its value.
     */
    static double[] rescaleZeroTerminalSnr(double[] betas) {
        int n = betas.length;
        double[] sqrtAb = cumprodOfOneMinus(betas);
        for (int i = 0; i < n; i++) {
            sqrtAb[i] = Math.sqrt(sqrtAb[i]);
        }
        double first = sqrtAb[0];
        double last = sqrtAb[n - 1];
        double scale = first / (first - last);
        double[] ab = new double[n];
        for (int i = 0; i < n; i++) {
            double s = (sqrtAb[i] - last) * scale;
            ab[i] = s * s;
        }
        double[] out = new double[n];
        out[0] = 1 - ab[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1 - ab[i] / ab[i - 1];
        }
        return out;
    }

    /** numpy/torch linspace: n evenly spaced values including both ends. */
    static double[] linspace(double start, double end, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (end - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = end;
        return out;
    }

    private static double[] cumprodOfOneMinus(double[] betas) {
        double[] out = new double[betas.length];
        double p = 1;
        for (int i = 0; i < betas.length; i++) {
            p *= 1 - betas[i];
            out[i] = p;
        }
        return out;
    }

    /** Number of training timesteps. */
    public int size() {
        return betas.length;
    }

    /** beta_t, float64. */
    public double beta(int t) {
        return betas[check(t)];
    }

    /** alphā_t, float64. */
    public double alphaCumprod(int t) {
        return alphasCumprod[check(t)];
    }

    /** A copy of all betas. */
    public double[] betas() {
        return betas.clone();
    }

    /** A copy of alphā for every training timestep, float64. */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** alphā for every training timestep, rounded to float (the SPI's view). */
    public float[] alphasCumprodFloat() {
        float[] out = new float[alphasCumprod.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) alphasCumprod[i];
        }
        return out;
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new InvalidInputException("timestep " + t + " is outside the training schedule [0, "
                    + betas.length + ")");
        }
        return t;
    }
}
