package dev.tailorpo.api;

/**
 * A model or weight file is missing, truncated, corrupt, or does not fit the architecture it is
 * loaded into (missing, unexpected or mis-shaped keys). The message names the file or key.
 */
public class ModelFormatException extends TailorException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
