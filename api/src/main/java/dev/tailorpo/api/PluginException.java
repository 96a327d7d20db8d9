package dev.tailorpo.api;

/** A provider cannot be found, is declared twice, or fails to load; the message names its id and source. */
public class PluginException extends TailorException {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
