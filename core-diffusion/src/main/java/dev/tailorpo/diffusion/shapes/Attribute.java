package dev.tailorpo.diffusion.shapes;

/**
 * The four attributes a prompt names, in the order of {@link ShapePrompt#attributeIndices()}; the
 * alignment classifier has one head per attribute with {@link #classes()} outputs.
 */
public enum Attribute {
    SHAPE(ShapeKind.values().length),
    COLOUR(Colour.values().length),
    BACKGROUND(Background.values().length),
    SIZE(ShapeSize.values().length);

    private final int classes;

    Attribute(int classes) {
        this.classes = classes;
    }

    /** The number of values the attribute takes. */
    public int classes() {
        return classes;
    }
}
