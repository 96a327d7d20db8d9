package dev.tailorpo.diffusion.shapes;

/** A colour or colour offset with linear channels nominally in [0, 1]. */
public record Rgb(double r, double g, double b) {

    public static final Rgb ZERO = new Rgb(0, 0, 0);

    public Rgb plus(Rgb o) {
        return new Rgb(r + o.r, g + o.g, b + o.b);
    }

    /** Each channel clamped to [0, 1], so a jittered colour stays displayable. */
    public Rgb clamped() {
        return new Rgb(clamp(r), clamp(g), clamp(b));
    }

    public double distanceSquared(Rgb o) {
        double dr = r - o.r;
        double dg = g - o.g;
        double db = b - o.b;
        return dr * dr + dg * dg + db * db;
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue). */
    public double channel(int c) {
        return switch (c) {
            case 0 -> r;
            case 1 -> g;
            case 2 -> b;
            default -> throw new IllegalArgumentException("channel " + c + " (expected 0, 1 or 2)");
        };
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
