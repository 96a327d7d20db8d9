package dev.tailorpo.eval.report;

/**
 * Puts AWT in headless mode before anything draws: charts and grids are rendered into images on
 * machines without a display (CI, a server running {@code tailor experiment}); with a display but
 * no headless flag, the first font lookup would open a connection to it for nothing. A user's own
 * {@code -Djava.awt.headless} setting is kept. Call from the static initializer of a class that
 * draws, so that it runs before AWT reads the flag.
 */
final class Headless {
    private Headless() {}

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
