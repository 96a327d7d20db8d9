package dev.tailorpo.diffusion.shapes;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.EnumMap;
import java.util.Map;

/**
 * The geometry of each shape kind, the one definition both the renderer and the quality rating's
 * clipping measure use. A unit outline lies in the box [-0.5, 0.5]^2 (y down); a render scales it
 * by {@link RenderParams#scale()}, rotates it and moves its box centre to the render's centre.
 */
public final class ShapeOutline {
    private ShapeOutline() {}

    /** The diamond is a rhombus narrower than tall, so that it never reads as a rotated square. */
    static final double DIAMOND_HALF_WIDTH = 0.36;
    /** The star's inner radius over its outer one: deep enough that the points survive at 32x32. */
    static final double STAR_INNER_RATIO = 0.42;
    /** The width of the cross's arms as a fraction of the box side. */
    static final double CROSS_ARM = 0.36;

    private static final Map<ShapeKind, Shape> UNIT = new EnumMap<>(ShapeKind.class);

    static {
        for (ShapeKind k : ShapeKind.values()) {
            UNIT.put(k, build(k));
        }
    }

    private static Shape build(ShapeKind kind) {
        return switch (kind) {
            case CIRCLE -> new Ellipse2D.Double(-0.5, -0.5, 1, 1);
            case SQUARE -> polygon(-0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, 0.5);
            case TRIANGLE -> polygon(0, -0.5, 0.5, 0.5, -0.5, 0.5);
            case DIAMOND -> polygon(0, -0.5, DIAMOND_HALF_WIDTH, 0, 0, 0.5, -DIAMOND_HALF_WIDTH, 0);
            case STAR -> star();
            case CROSS -> {
                double a = CROSS_ARM / 2;
                yield polygon(-a, -0.5, a, -0.5, a, -a, 0.5, -a, 0.5, a, a, a, a, 0.5, -a, 0.5, -a, a, -0.5, a,
                        -0.5, -a, -a, -a);
            }
        };
    }

    /** A five-pointed star, one point straight up, its outer radius filling the box. */
    private static Shape star() {
        double[] xy = new double[20];
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? 0.5 : 0.5 * STAR_INNER_RATIO;
            double angle = Math.PI * i / 5;
            xy[2 * i] = r * Math.sin(angle);
            xy[2 * i + 1] = -r * Math.cos(angle);
        }
        return polygon(xy);
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    /**
     * The outline placed as {@code params} says, in a frame where the canvas is the square
     * [0, side]^2 (side = pixels across at the resolution being drawn).
     */
    public static Shape placed(ShapeKind kind, RenderParams params, double side) {
        AffineTransform at = new AffineTransform();
        at.translate(params.centreX() * side, params.centreY() * side);
        at.rotate(params.rotation());
        at.scale(params.scale() * side, params.scale() * side);
        return at.createTransformedShape(UNIT.get(kind));
    }
}
