package dev.tailorpo.diffusion.shapes;

/** The shape of the object. The constant order is the class index (see {@link PromptWord}). */
public enum ShapeKind implements PromptWord {
    CIRCLE, SQUARE, TRIANGLE, DIAMOND, STAR, CROSS;

    @Override
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public int index() {
        return ordinal();
    }
}
