package dev.tailorpo.api;

/**
 * Root of every error the framework raises on purpose. Its message names the thing at fault (a
 * file, a config key, a plugin id) and says what was expected, so that a user can act on it
 * without reading a stack trace.
 */
public class TailorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TailorException(String message) {
        super(message);
    }

    public TailorException(String message, Throwable cause) {
        super(message, cause);
    }
}
