package dev.tailorpo.diffusion.shapes;

/**
 * The colour of the object, with its nominal linear RGB. The nominal colours are saturated and far
 * apart (pairwise RGB distance at least 0.41, red to orange) so that a jittered, faded or noisy render still
 * stays nearest to its own colour. The constant order is the class index (see {@link PromptWord}).
 */
public enum Colour implements PromptWord {
    RED(0.86, 0.10, 0.10),
    ORANGE(1.00, 0.48, 0.00),
    YELLOW(0.95, 0.92, 0.08),
    GREEN(0.12, 0.70, 0.18),
    BLUE(0.10, 0.30, 0.95),
    PURPLE(0.62, 0.12, 0.74),
    WHITE(0.96, 0.96, 0.96);

    private final Rgb rgb;

    Colour(double r, double g, double b) {
        this.rgb = new Rgb(r, g, b);
    }

    /** The nominal colour, before jitter. */
    public Rgb rgb() {
        return rgb;
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
