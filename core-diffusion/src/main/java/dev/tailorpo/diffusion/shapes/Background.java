package dev.tailorpo.diffusion.shapes;

/**
 * The background colour, with its nominal linear RGB. The constant order is the class index (see
 * {@link PromptWord}).
 */
public enum Background implements PromptWord {
    BLACK(0.04, 0.04, 0.04),
    GRAY(0.50, 0.50, 0.50),
    WHITE(0.96, 0.96, 0.96),
    NAVY(0.04, 0.07, 0.36);

    private final Rgb rgb;

    Background(double r, double g, double b) {
        this.rgb = new Rgb(r, g, b);
    }

    /** The nominal colour, before jitter. */
    public Rgb rgb() {
        return rgb;
    }

    /**
     * Whether an object of colour {@code c} may be drawn on this background: never on a background
     * of its own colour (white on white would be invisible).
     */
    public boolean allows(Colour c) {
        return !c.word().equals(word());
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
