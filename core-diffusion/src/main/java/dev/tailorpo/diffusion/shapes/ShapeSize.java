package dev.tailorpo.diffusion.shapes;

/**
 * The size word, with the range of the render scale (the side of the shape's unrotated box, as a
 * fraction of the canvas side) it stands for. The ranges leave a gap (0.40 to 0.55) so that the
 * covered area of a large shape is at least (0.55/0.40)^2 = 1.89 times that of a small one of
 * the same kind. The constant order is the class index (see {@link PromptWord}).
 */
public enum ShapeSize implements PromptWord {
    SMALL(0.28, 0.40),
    LARGE(0.55, 0.80);

    private final double minScale;
    private final double maxScale;

    ShapeSize(double minScale, double maxScale) {
        this.minScale = minScale;
        this.maxScale = maxScale;
    }

    public double minScale() {
        return minScale;
    }

    public double maxScale() {
        return maxScale;
    }

    @Override
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public int index() {
        return ordinal();
    }
}
