package dev.tailorpo.diffusion.image;

import java.util.Arrays;

/**
 * Resampling weights of one image axis: output pixel {@code i} is
 * {@code sum_j weight(i, j) * input[index(i, j)]}. Made by a {@link Kernel}; {@link #crop} and
 * {@link #pad} then fold a centre crop or a zero padding of the output into the same weights, so a
 * resize, crop and pad is one pair of matrix products ({@link Resize#resample}).
 *
 * <p>Indices may repeat (torch's plain bicubic clamps them to the border) and an output may have no
 * taps at all (a padded pixel, which is 0). Immutable.
 */
public final class Taps {
    private final int inputSize;
    private final int[][] index;
    private final double[][] weight;

    Taps(int inputSize, int[][] index, double[][] weight) {
        this.inputSize = inputSize;
        this.index = index;
        this.weight = weight;
    }

    /** The taps that copy an axis of {@code n} pixels. */
    public static Taps identity(int n) {
        int[][] index = new int[n][];
        double[][] weight = new double[n][];
        for (int i = 0; i < n; i++) {
            index[i] = new int[] {i};
            weight[i] = new double[] {1.0};
        }
        return new Taps(n, index, weight);
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return index.length;
    }

    /** The number of taps of output pixel {@code i}. */
    public int count(int i) {
        return index[i].length;
    }

    /** The input pixel read by tap {@code j} of output pixel {@code i}. */
    public int index(int i, int j) {
        return index[i][j];
    }

    /** The weight of tap {@code j} of output pixel {@code i}. */
    public double weight(int i, int j) {
        return weight[i][j];
    }

    /** The weights of output pixel {@code i}, a copy. */
    public double[] weights(int i) {
        return weight[i].clone();
    }

    /**
     * Output pixel {@code i} of a strided line of floats: the line's pixel {@code k} is
     * {@code data[base + k * stride]}.
     */
    public double apply(int i, float[] data, int base, int stride) {
        int[] idx = index[i];
        double[] w = weight[i];
        double sum = 0.0;
        for (int j = 0; j < idx.length; j++) {
            sum += w[j] * data[base + idx[j] * stride];
        }
        return sum;
    }

    /** Only the outputs {@code start .. start + length - 1} (a crop of the resampled axis). */
    public Taps crop(int start, int length) {
        if (start < 0 || length <= 0 || start + length > outputSize()) {
            throw new IllegalArgumentException("crop [" + start + ", " + (start + length) + ") outside the " + outputSize() + " outputs");
        }
        return new Taps(inputSize, Arrays.copyOfRange(index, start, start + length), Arrays.copyOfRange(weight, start, start + length));
    }

    /** These outputs placed at {@code before} in {@code length} outputs; the others are zero. */
    public Taps pad(int before, int length) {
        if (before < 0 || before + outputSize() > length) {
            throw new IllegalArgumentException("cannot place " + outputSize() + " outputs at " + before + " in " + length);
        }
        int[][] idx = new int[length][0];
        double[][] w = new double[length][0];
        System.arraycopy(index, 0, idx, before, outputSize());
        System.arraycopy(weight, 0, w, before, outputSize());
        return new Taps(inputSize, idx, w);
    }

    /** Whether these taps copy their input unchanged (their matrix is exactly the identity). */
    public boolean isIdentity() {
        if (outputSize() != inputSize) {
            return false;
        }
        double[] m = matrix();
        for (int i = 0; i < inputSize; i++) {
            for (int k = 0; k < inputSize; k++) {
                if (m[i * inputSize + k] != (i == k ? 1.0 : 0.0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The (output, input) interpolation matrix, row-major: row {@code i} holds output pixel
     * {@code i}'s weights, repeated indices summed.
     */
    public double[] matrix() {
        int in = inputSize;
        double[] m = new double[outputSize() * in];
        for (int i = 0; i < index.length; i++) {
            for (int j = 0; j < index[i].length; j++) {
                m[i * in + index[i][j]] += weight[i][j];
            }
        }
        return m;
    }
}
