package dev.tailorpo.diffusion.shapes;

import dev.tailorpo.api.InvalidInputException;

import java.util.Objects;

/**
 * Everything besides the prompt that determines a render: with the prompt these fix every pixel,
 * and the quality rating is a function of them alone (not of the pixels), so that the aesthetic
 * reward has an exact target.
 *
 * @param centreX          x of the shape's box centre as a fraction of the canvas side (0.5 = middle)
 * @param centreY          y of the same, growing downwards as in image coordinates
 * @param scale            side of the shape's unrotated box as a fraction of the canvas side
 * @param rotation         clockwise rotation about the centre, in radians
 * @param colourJitter     added to the shape colour's nominal RGB (then clamped to [0,1])
 * @param backgroundJitter added to the background's nominal RGB (then clamped to [0,1])
 * @param blurSigma        Gaussian blur sigma in output (32x32) pixels; 0 = sharp
 * @param noiseStd         standard deviation of the additive Gaussian pixel noise; 0 = clean
 * @param fade             weight of mid-grey in the final blend {@code (1-fade) x + fade 0.5}; 0 = full contrast
 * @param noiseSeed        seeds the pixel noise, so a noisy render is reproducible
 */
public record RenderParams(double centreX, double centreY, double scale, double rotation, Rgb colourJitter,
        Rgb backgroundJitter, double blurSigma, double noiseStd, double fade, long noiseSeed) {

    /** @throws InvalidInputException if a value is not finite or out of its range */
    public RenderParams {
        Objects.requireNonNull(colourJitter, "colourJitter");
        Objects.requireNonNull(backgroundJitter, "backgroundJitter");
        finite("centreX", centreX);
        finite("centreY", centreY);
        finite("rotation", rotation);
        if (!(scale > 0 && scale < 4)) {
            throw new InvalidInputException("render scale " + scale + " is outside (0, 4)");
        }
        if (!(blurSigma >= 0 && blurSigma <= 8)) {
            throw new InvalidInputException("render blurSigma " + blurSigma + " is outside [0, 8]");
        }
        if (!(noiseStd >= 0 && noiseStd <= 1)) {
            throw new InvalidInputException("render noiseStd " + noiseStd + " is outside [0, 1]");
        }
        if (!(fade >= 0 && fade <= 1)) {
            throw new InvalidInputException("render fade " + fade + " is outside [0, 1]");
        }
    }

    private static void finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new InvalidInputException("render " + name + " is " + v + "; expected a finite number");
        }
    }

    /** A defect-free render: centred, upright, nominal colours. */
    public static RenderParams clean(double scale) {
        return new RenderParams(0.5, 0.5, scale, 0, Rgb.ZERO, Rgb.ZERO, 0, 0, 0, 0);
    }

    public RenderParams withCentre(double x, double y) {
        return new RenderParams(x, y, scale, rotation, colourJitter, backgroundJitter, blurSigma, noiseStd, fade, noiseSeed);
    }

    public RenderParams withScale(double s) {
        return new RenderParams(centreX, centreY, s, rotation, colourJitter, backgroundJitter, blurSigma, noiseStd, fade, noiseSeed);
    }

    public RenderParams withRotation(double r) {
        return new RenderParams(centreX, centreY, scale, r, colourJitter, backgroundJitter, blurSigma, noiseStd, fade, noiseSeed);
    }

    public RenderParams withBlur(double sigma) {
        return new RenderParams(centreX, centreY, scale, rotation, colourJitter, backgroundJitter, sigma, noiseStd, fade, noiseSeed);
    }

    public RenderParams withNoise(double std) {
        return new RenderParams(centreX, centreY, scale, rotation, colourJitter, backgroundJitter, blurSigma, std, fade, noiseSeed);
    }

    public RenderParams withFade(double f) {
        return new RenderParams(centreX, centreY, scale, rotation, colourJitter, backgroundJitter, blurSigma, noiseStd, f, noiseSeed);
    }

    /** Distance of the shape's centre from the canvas centre, as a fraction of the side. */
    public double offCentre() {
        return Math.hypot(centreX - 0.5, centreY - 0.5);
    }
}
