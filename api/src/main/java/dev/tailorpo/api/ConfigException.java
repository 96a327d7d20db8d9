package dev.tailorpo.api;

/** A configuration value is missing, unknown or out of range; the message names its key path. */
public class ConfigException extends TailorException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
