package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;

/**
 * CLIP's image preprocessing as a differentiable tensor function, so that reward gradients reach
 * the generated image: resize the shortest edge to the model's image size, centre-crop to a square,
 * normalise with CLIP's mean and std. Every step is a torch op on float32 (no {@code toType}, no
 * {@code toDevice} of the image), so the result stays in the autograd graph of the input.
 *
 * <p>What is matched: {@code torch.nn.functional.interpolate(mode=bicubic|bilinear,
 * align_corners=False, antialias=True)} (what DJL 0.36's PyTorch interpolation computes: measured
 * equal to torch to 1.2e-7, also when enlarging, where antialiasing changes the border weights;
 * it is also torchvision's tensor {@code Resize(antialias=True)}), then transformers' centre crop
 * (offsets {@code (h - size) / 2}, rounded down) and {@code (x - mean) / std}. torch's antialiased
 * bicubic uses PIL's kernel (a = -0.5) and support, so this is close to transformers'
 * {@code CLIPImageProcessor} but not bit-equal: that resizes 8-bit PIL images, whose output is
 * rounded and clipped to 0..255, while here bicubic overshoot is kept. Images already at the
 * model's size are not resampled at all, which is the fixtures' case.
 */
public final class ClipImageProcessor {
    /** CLIP's per-channel normalisation (OpenAI's training statistics), RGB. */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** The interpolation used when an image is not at the model's size. */
    public enum Resample {
        BILINEAR(1),
        BICUBIC(3);

        /**
         * The mode code of DJL's {@code NDArrayEx.interpolation} (its image interpolation order:
         * nearest 0, bilinear 1, area 2, bicubic 3; the engine maps it to torch's own codes).
         */
        private final int djlMode;

        Resample(int djlMode) {
            this.djlMode = djlMode;
        }
    }

    private final int size;
    private final Resample resample;

    /**
     * @param size the shortest edge after resizing and the side of the centre crop (CLIP uses the
     *     same value for both: its {@code image_size})
     */
    public ClipImageProcessor(int size, Resample resample) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + size);
        }
        this.size = size;
        this.resample = resample;
    }

    /** Bicubic resizing to the vision tower's {@code image_size}, as CLIP's own processor. */
    public static ClipImageProcessor forConfig(ClipVisionConfig vision) {
        return new ClipImageProcessor(vision.imageSize(), Resample.BICUBIC);
    }

    public int size() {
        return size;
    }

    public Resample resample() {
        return resample;
    }

    /**
     * @param images01 (B, 3, H, W) float32 RGB in [0, 1], any size
     * @return (B, 3, size, size) {@code pixel_values}, in the manager of {@code images01}
     */
    public NDArray preprocess(NDArray images01) {
        Shape s = images01.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new InvalidInputException("CLIP preprocessing wants (batch, 3, height, width) images, got " + s);
        }
        if (images01.getDataType() != DataType.FLOAT32) {
            // converting here would cut the autograd graph (DJL's toType is not differentiable)
            throw new InvalidInputException("CLIP preprocessing wants float32 images, got " + images01.getDataType());
        }
        NDArray x = centreCrop(resizeShortestEdge(images01));
        NDArray mean = constant(x, MEAN);
        NDArray std = constant(x, STD);
        return x.sub(mean).div(std);
    }

    private NDArray resizeShortestEdge(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long shortEdge = Math.min(h, w);
        if (shortEdge == size) {
            return x;
        }
        // transformers' get_resize_output_image_size: the long edge is scaled and truncated
        long longEdge = (long) (size * (double) Math.max(h, w) / shortEdge);
        return h <= w ? resampleTo(x, size, longEdge, resample) : resampleTo(x, longEdge, size, resample);
    }

    /** Resamples (B, C, H, W) to (B, C, height, width); differentiable. */
    static NDArray resampleTo(NDArray x, long height, long width, Resample resample) {
        // DJL ignores the align_corners argument of this call and always passes false, as CLIP wants
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, resample.djlMode, false);
    }

    private NDArray centreCrop(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h == size && w == size) {
            return x;
        }
        long top = (h - size) / 2;
        long left = (w - size) / 2;
        return x.get(":, :, {}:{}, {}:{}", top, top + size, left, left + size);
    }

    /** A (1, 3, 1, 1) constant beside {@code like}; constants need no gradient. */
    private static NDArray constant(NDArray like, float[] values) {
        return like.getManager().create(values, new Shape(1, 3, 1, 1)).toDevice(like.getDevice(), false);
    }
}
