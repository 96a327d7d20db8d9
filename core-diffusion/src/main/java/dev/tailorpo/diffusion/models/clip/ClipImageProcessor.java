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
 * align_corners=False)} without antialiasing, then transformers' centre crop (offsets
 * {@code (h - size) / 2}, rounded down) and {@code (x - mean) / std}. That is the tensor pipeline
 * differentiable reward code in PyTorch uses. It is not bit-equal to transformers'
 * {@code CLIPImageProcessor}, which resizes 8-bit PIL images with PIL's bicubic (a = -0.5, with
 * antialiasing when shrinking, output rounded and clipped to 0..255) where torch's bicubic uses
 * a = -0.75 and does not clip overshoot. Images already at the model's size are not resampled at
 * all, which is the fixtures' case.
 */
public final class ClipImageProcessor {
    /** CLIP's per-channel normalisation (OpenAI's training statistics), RGB. */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** The interpolation used when an image is not at the model's size. */
    public enum Resample {
        BILINEAR(2),
        BICUBIC(3);

        /** DJL's PyTorch interpolation mode code. */
        private final int torchMode;

        Resample(int torchMode) {
            this.torchMode = torchMode;
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
        long[] out = h <= w ? new long[] {size, longEdge} : new long[] {longEdge, size};
        return x.getNDArrayInternal().interpolation(out, resample.torchMode, false);
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
