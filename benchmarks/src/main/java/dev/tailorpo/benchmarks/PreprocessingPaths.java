package dev.tailorpo.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.diffusion.models.blip.BlipImageProcessor;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.models.clip.OpenClipImageProcessor;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How far apart the preprocessing paths of the preference rewards put a 512 x 512 image (SD 1.5's
 * size) at the models' 224 px, in 8-bit units of the model input (pixel_values times std times
 * 255): ImageReward's PIL path (8-bit, as {@code ImageReward.score} on files) against its tensor
 * paths with and without antialiasing (ReFL's), and HPSv2's resize with and without antialiasing.
 *
 * <p>The images are random fields with the average spectrum of photographs (see {@link #pinkNoise}),
 * so that the fine detail which antialiasing removes is there in natural proportion; a flat or
 * cartoon image would differ less.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     dev.tailorpo.benchmarks.PreprocessingPaths [IMAGES=16] [SIDE=512]
 * </pre>
 */
public final class PreprocessingPaths {
    private PreprocessingPaths() {}

    public static void main(String[] args) {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int side = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        float[] mean = ClipImageProcessor.MEAN;
        float[] std = ClipImageProcessor.STD;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(pinkNoise(images, side, new SplittableRandom(0)), new Shape(images, 3, side, side));
            NDArray pil = new BlipImageProcessor(224, mean, std, BlipImageProcessor.Mode.PIL).preprocess(x);
            NDArray tensor = new BlipImageProcessor(224, mean, std, BlipImageProcessor.Mode.TENSOR).preprocess(x);
            NDArray antialias = new BlipImageProcessor(224, mean, std, BlipImageProcessor.Mode.TENSOR_ANTIALIAS).preprocess(x);
            NDArray hps = new OpenClipImageProcessor(224, mean, std, false).preprocess(x);
            NDArray hpsAntialias = new OpenClipImageProcessor(224, mean, std, true).preprocess(x);
            System.out.printf(Locale.ROOT, "%d pink-noise images %dx%d -> 224, |difference| of the model input in 8-bit units "
                    + "(mean / 99th percentile / max):%n", images, side, side);
            report("image-reward tensor-antialias vs pil", antialias, pil, std);
            report("image-reward tensor vs pil", tensor, pil, std);
            report("image-reward tensor vs tensor-antialias", tensor, antialias, std);
            report("hpsv2 antialias vs none", hpsAntialias, hps, std);
        }
    }

    private static void report(String what, NDArray a, NDArray b, float[] std) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        int plane = x.length / 3 / (int) a.getShape().get(0);
        double[] d = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            d[i] = Math.abs(x[i] - y[i]) * std[(i / plane) % 3] * 255;
            sum += d[i];
        }
        Arrays.sort(d);
        System.out.printf(Locale.ROOT, "  %-40s %.2f / %.2f / %.2f%n", what, sum / d.length, d[(int) (0.99 * (d.length - 1))],
                d[d.length - 1]);
    }

    /**
     * Images in [0, 1] whose channels are independent sums of plane waves with log-uniform
     * frequencies (1 to side / 2 cycles) and equal amplitudes: equal power per octave, which is the
     * 1 / f^2 power spectrum of photographs. Each field is scaled to span [0, 1].
     */
    static float[] pinkNoise(int images, int side, SplittableRandom random) {
        float[] out = new float[images * 3 * side * side];
        int n = side * side;
        int waves = 200;
        double[] cx = new double[side];
        double[] sx = new double[side];
        double[] cy = new double[side];
        double[] sy = new double[side];
        for (int p = 0; p < images * 3; p++) {
            double[] field = new double[n];
            for (int w = 0; w < waves; w++) {
                double f = Math.exp(random.nextDouble() * Math.log(side / 2.0));
                double angle = random.nextDouble() * 2 * Math.PI;
                double fx = f * Math.cos(angle) * 2 * Math.PI / side;
                double fy = f * Math.sin(angle) * 2 * Math.PI / side;
                double phase = random.nextDouble() * 2 * Math.PI;
                // cos(a + b) = cos a cos b - sin a sin b, with a along x and b along y
                for (int i = 0; i < side; i++) {
                    cx[i] = Math.cos(fx * i + phase);
                    sx[i] = Math.sin(fx * i + phase);
                    cy[i] = Math.cos(fy * i);
                    sy[i] = Math.sin(fy * i);
                }
                for (int yy = 0; yy < side; yy++) {
                    for (int xx = 0; xx < side; xx++) {
                        field[yy * side + xx] += cx[xx] * cy[yy] - sx[xx] * sy[yy];
                    }
                }
            }
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (double v : field) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (int i = 0; i < n; i++) {
                out[p * n + i] = (float) ((field[i] - lo) / (hi - lo));
            }
        }
        return out;
    }
}
