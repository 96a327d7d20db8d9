package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.diffusion.image.Images;
import dev.tailorpo.diffusion.image.Kernel;
import dev.tailorpo.diffusion.image.Normalize;
import dev.tailorpo.diffusion.image.Resize;
import dev.tailorpo.diffusion.image.Taps;

/**
 * HPSv2's image preprocessing, open_clip's {@code preprocess_val} as HPSv2 vendors it, on images
 * already through {@code ToTensor} (float32 in [0, 1]): {@code ResizeMaxSize(size)} then
 * {@code Normalize(mean, std)}, differentiable.
 *
 * <p>ResizeMaxSize: {@code scale = size / max(h, w)}; unless it is exactly 1 the image is resized to
 * {@code (round(h * scale), round(w * scale))} (Python's round: halves to even) by torch's bicubic
 * without antialiasing ({@link Kernel#TORCH_BICUBIC}, torchvision 0.14's tensor resize, no
 * clamping), or antialiased ({@link Kernel#ANTIALIAS_BICUBIC}, torchvision 0.17's default) when
 * asked, and zero-padded to {@code size x size} (left and top get {@code floor(pad / 2)}, right and
 * bottom the rest). The padding is folded into the interpolation matrices ({@link Taps#pad}), and
 * after Normalize it holds {@code -mean / std}, as upstream's.
 *
 * <p>Upstream's quirk: when the longer side is already {@code size} (scale 1) the image passes
 * unchanged, neither resized nor padded, even when it is not square; the ViT then cannot take it
 * (its position embeddings are for {@code size x size}) and HPSv2 fails inside the model.
 * {@link #geometry} reports that case as upstream computes it; {@link #preprocess} refuses it with
 * an {@link InvalidInputException} rather than pad or stretch the image in a way upstream never
 * does. A {@code size x size} image is only normalised.
 */
public final class OpenClipImageProcessor {
    private static final String WHO = "open_clip (HPSv2) preprocessing";

    /**
     * Where ResizeMaxSize puts an image: resized to {@code height x width}, then padded.
     *
     * @param resized whether the image is resampled at all (scale != 1)
     */
    public record Geometry(int height, int width, int padLeft, int padTop, int padRight, int padBottom, boolean resized) {
        /** The size of ResizeMaxSize's output. */
        public int outputHeight() {
            return padTop + height + padBottom;
        }

        public int outputWidth() {
            return padLeft + width + padRight;
        }
    }

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final boolean antialias;

    /**
     * @param size the model's image size (ResizeMaxSize's {@code max_size})
     * @param mean per-channel (RGB) mean
     * @param std per-channel (RGB) standard deviation
     * @param antialias resize with torch's antialiased bicubic (torchvision >= 0.17) instead of
     *     the plain one (torchvision 0.14, what HPSv2 was run with)
     */
    public OpenClipImageProcessor(int size, float[] mean, float[] std, boolean antialias) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + size);
        }
        Images.requireChannelStats(mean, std);
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.antialias = antialias;
    }

    public int size() {
        return size;
    }

    public boolean antialias() {
        return antialias;
    }

    /** ResizeMaxSize's geometry for a {@code height x width} image, exactly as upstream computes it. */
    public Geometry geometry(int height, int width) {
        double scale = size / (double) Math.max(height, width);
        if (scale == 1.0) {
            return new Geometry(height, width, 0, 0, 0, 0, false);
        }
        int h = (int) Math.rint(height * scale);
        int w = (int) Math.rint(width * scale);
        int padH = size - h;
        int padW = size - w;
        return new Geometry(h, w, padW / 2, padH / 2, padW - padW / 2, padH - padH / 2, true);
    }

    /**
     * @param images01 (B, 3, H, W) float32 RGB in [0, 1]
     * @return (B, 3, size, size) {@code pixel_values}, in the manager of {@code images01}
     * @throws InvalidInputException for another rank, channel count or dtype; for an image whose
     *     longer side is {@code size} but which is not square (upstream passes it on unpadded); for
     *     an image so elongated that a side rounds to 0 pixels
     */
    public NDArray preprocess(NDArray images01) {
        Shape s = Images.requireRgbFloat32(images01, WHO);
        int height = (int) s.get(2);
        int width = (int) s.get(3);
        Geometry g = geometry(height, width);
        if (g.outputHeight() != size || g.outputWidth() != size) {
            throw new InvalidInputException(WHO + ": a " + height + "x" + width + " image has its longer side at " + size
                    + " already, so ResizeMaxSize passes it on unchanged (not padded) and the " + size + "x" + size
                    + " model cannot take it; pad or resize it to " + size + "x" + size + " first");
        }
        if (g.height() <= 0 || g.width() <= 0) {
            throw new InvalidInputException(WHO + ": a " + height + "x" + width + " image would be resized to "
                    + g.height() + "x" + g.width() + " pixels");
        }
        NDArray x = images01;
        if (g.resized()) {
            Kernel kernel = antialias ? Kernel.ANTIALIAS_BICUBIC : Kernel.TORCH_BICUBIC;
            Taps rows = kernel.taps(height, g.height()).pad(g.padTop(), size);
            Taps columns = kernel.taps(width, g.width()).pad(g.padLeft(), size);
            x = Resize.resample(images01, rows, columns);
        }
        return Normalize.apply(x, mean, std);
    }
}
