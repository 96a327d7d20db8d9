package dev.tailorpo.diffusion.models.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.image.Images;
import dev.tailorpo.diffusion.image.Kernel;
import dev.tailorpo.diffusion.image.Normalize;
import dev.tailorpo.diffusion.image.PilResize;
import dev.tailorpo.diffusion.image.Resize;
import dev.tailorpo.diffusion.image.Taps;

/**
 * ImageReward's (BLIP's) image preprocessing: torchvision's {@code Resize(size, BICUBIC)} (the
 * shorter side to {@code size}, the other to {@code int(size * long / short)}), {@code CenterCrop(size)}
 * (top {@code int(round((h - size) / 2.0))} with Python's round, halves to even; left likewise) and
 * {@code Normalize(mean, std)}. Images already {@code size x size} are only normalised.
 *
 * <p>Three ways of resizing, as ImageReward's code paths do it:
 * <ul>
 *   <li>{@link Mode#PIL}: {@code ImageReward.score} on a PIL image. The [0, 1] floats are made 8-bit
 *   ({@code round(clamp(x, 0, 1) * 255)}, halves to even), resized by PIL's fixed-point bicubic
 *   ({@link PilResize}, bit-exact), cropped, divided by 255 and normalised. <b>No autograd graph</b>:
 *   the result is a constant, as PIL's output is for torch.</li>
 *   <li>{@link Mode#TENSOR}: ReFL's transform on the float batch, torchvision 0.14's tensor resize
 *   without antialiasing ({@link Kernel#TORCH_BICUBIC}, no clamping); differentiable.</li>
 *   <li>{@link Mode#TENSOR_ANTIALIAS}: the same with {@code antialias=True} (torchvision 0.17's
 *   default, {@link Kernel#ANTIALIAS_BICUBIC} on floats); differentiable.</li>
 * </ul>
 * The tensor modes fold the crop into the resize's interpolation matrices ({@link Taps#crop}).
 */
public final class BlipImageProcessor {
    /** How the image is resized. */
    public enum Mode {
        /** PIL's 8-bit antialiased bicubic, exactly; not differentiable. */
        PIL,
        /** torch's bicubic on floats without antialiasing (a = -0.75); differentiable. */
        TENSOR,
        /** torch's antialiased bicubic on floats (PIL's kernel, a = -0.5); differentiable. */
        TENSOR_ANTIALIAS
    }

    private static final String WHO = "BLIP preprocessing";

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final Mode mode;

    /**
     * @param size the shorter side after resizing and the side of the centre crop
     * @param mean per-channel (RGB) mean
     * @param std per-channel (RGB) standard deviation
     */
    public BlipImageProcessor(int size, float[] mean, float[] std, Mode mode) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + size);
        }
        Images.requireChannelStats(mean, std);
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.mode = mode;
    }

    public int size() {
        return size;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * torchvision's {@code _compute_resized_output_size} for an int size: {height, width} after the
     * resize.
     */
    public int[] resizedSize(int height, int width) {
        int shorter = Math.min(height, width);
        int longer = Math.max(height, width);
        // Python: int(size * long / short), a true division then truncation
        int scaled = (int) ((double) size * longer / shorter);
        return width <= height ? new int[] {scaled, size} : new int[] {size, scaled};
    }

    /** torchvision's {@code center_crop} offset: {@code int(round((length - size) / 2.0))}, halves to even. */
    public int cropOffset(int length) {
        return (int) Math.rint((length - size) / 2.0);
    }

    /**
     * @param images01 (B, 3, H, W) float32 RGB in [0, 1], any size
     * @return (B, 3, size, size) {@code pixel_values}, in the manager of {@code images01}
     * @throws InvalidInputException for another rank, channel count or dtype, and (PIL mode) for
     *     NaN or infinite pixels
     */
    public NDArray preprocess(NDArray images01) {
        Shape s = Images.requireRgbFloat32(images01, WHO);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDArray x;
        if (mode == Mode.PIL) {
            x = pil(images01, s);
        } else if (h == size && w == size) {
            x = images01;
        } else {
            Kernel kernel = mode == Mode.TENSOR ? Kernel.TORCH_BICUBIC : Kernel.ANTIALIAS_BICUBIC;
            int[] hw = resizedSize(h, w);
            Taps rows = kernel.taps(h, hw[0]).crop(cropOffset(hw[0]), size);
            Taps columns = kernel.taps(w, hw[1]).crop(cropOffset(hw[1]), size);
            x = Resize.resample(images01, rows, columns);
        }
        return Normalize.apply(x, mean, std);
    }

    /** The PIL path up to ToTensor: 8-bit, PIL resize, crop, / 255; a constant in the input's manager. */
    private NDArray pil(NDArray images01, Shape s) {
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] v = images01.toFloatArray();
        int[] hw = h == size && w == size ? new int[] {h, w} : resizedSize(h, w);
        int top = cropOffset(hw[0]);
        int left = cropOffset(hw[1]);
        float[] out = new float[n * 3 * size * size];
        int[] plane = new int[h * w];
        for (int p = 0; p < n * 3; p++) {
            for (int i = 0; i < plane.length; i++) {
                float x = v[p * plane.length + i];
                if (!Float.isFinite(x)) {
                    throw new InvalidInputException(WHO + " (PIL mode): image " + p / 3 + " channel " + p % 3
                            + " has the non-finite pixel " + x + " at (" + i / w + ", " + i % w + ")");
                }
                plane[i] = (int) Math.rint(Math.min(Math.max(x, 0.0), 1.0) * 255.0);
            }
            int[] resized = PilResize.resize(plane, h, w, hw[0], hw[1], Kernel.ANTIALIAS_BICUBIC);
            int base = p * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    // ToTensor: uint8 to float32, then / 255 in float32
                    out[base + y * size + x] = (float) resized[(y + top) * hw[1] + x + left] / 255f;
                }
            }
        }
        return images01.getManager().create(out, new Shape(n, 3, size, size)).toDevice(images01.getDevice(), false);
    }
}
