package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;

/**
 * The training noise schedule: betas and their cumulative product alphā_t = prod_{s<=t} (1 - beta_s).
 *
 * <p>Precision follows what diffusers actually computes, because a float64 schedule is measurably
 * different: diffusers stores betas as a float32 tensor (torch's float32 {@code linspace}, squared in
 * float32 for scaled_linear; the cosine and trained betas rounded to float32), takes 1 - beta in
 * float32, and torch's CPU {@code cumprod} accumulates in double. We do the same: on SD 1.5's
 * schedule this reproduces diffusers' {@code alphas_cumprod} to 1.2e-7 relative (one float32
 * rounding; bit-exact at the fixture's timesteps), where a pure float64 schedule is 9.3e-7 off, and
 * that difference alone moves x0_hat at t = 951 (where it is divided by sqrt(alphā) = 0.08) by
 * 2e-5. Everything derived from alphā (the step coefficients) is then computed in float64.
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
                ? toFloat32(config.trainedBetas().clone())
                : betas(config.betaSchedule(), config.betaStart(), config.betaEnd(), config.numTrainTimesteps());
        if (config.rescaleBetasZeroSnr()) {
            betas = toFloat32(rescaleZeroTerminalSnr(betas));
        }
        return new NoiseSchedule(betas);
    }

    /** Betas for one of diffusers' named schedules, with diffusers' float32 values. */
    public static double[] betas(String schedule, double betaStart, double betaEnd, int n) {
        return switch (schedule) {
            case "linear" -> torchLinspaceFloat32(betaStart, betaEnd, n);
            case "scaled_linear" -> {
                // latent diffusion's schedule: linear in sqrt(beta), squared in float32
                double[] b = torchLinspaceFloat32(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
                for (int i = 0; i < n; i++) {
                    float f = (float) b[i];
                    b[i] = f * f;
                }
                yield b;
            }
            case "squaredcos_cap_v2" -> toFloat32(cosineBetas(n));
            default -> throw new ConfigException("scheduler config: beta_schedule '" + schedule
                    + "' is not one of linear, scaled_linear, squaredcos_cap_v2");
        };
    }

    /**
     * torch.linspace(start, end, n, dtype=float32) as its CPU kernel computes it: float32 step, the
     * first half counted up from start and the second half down from end.
     */
    static double[] torchLinspaceFloat32(double start, double end, int n) {
        float s = (float) start;
        float e = (float) end;
        double[] out = new double[n];
        if (n == 1) {
            out[0] = s;
            return out;
        }
        float step = (e - s) / (n - 1);
        int halfway = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < halfway ? s + step * i : e - step * (n - 1 - i);
        }
        return out;
    }

    private static double[] toFloat32(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) values[i];
        }
        return values;
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

    /** 1 - beta in float32 (diffusers' alphas tensor), accumulated in double as torch's CPU cumprod. */
    private static double[] cumprodOfOneMinus(double[] betas) {
        double[] out = new double[betas.length];
        double p = 1;
        for (int i = 0; i < betas.length; i++) {
            p *= 1f - (float) betas[i];
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
