package dev.tailorpo.plugins.remote;

import dev.tailorpo.api.TailorException;

/**
 * The reward server could not be reached, timed out, answered with an HTTP error, or broke the
 * protocol. The message names the URL.
 */
public class RemoteRewardException extends TailorException {
    private static final long serialVersionUID = 1L;

    public RemoteRewardException(String message) {
        super(message);
    }

    public RemoteRewardException(String message, Throwable cause) {
        super(message, cause);
    }
}
