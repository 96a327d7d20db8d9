package dev.tailorpo.diffusion.shapes;

/**
 * One training example of the shapes world.
 *
 * @param index  the sample's index in its {@link ShapesDataset}
 * @param prompt what the image shows
 * @param params how it was rendered
 * @param image  CHW float[3 * 32 * 32] in [0, 1] (the array is the caller's; records compare it by identity)
 * @param rating the {@link QualityRating} in [1, 10]
 */
public record ShapesSample(long index, ShapePrompt prompt, RenderParams params, float[] image, double rating) {

    /** The class indices in {@link Attribute} order: shape, colour, background, size. */
    public int[] attributes() {
        return prompt.attributeIndices();
    }
}
