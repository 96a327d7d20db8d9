package dev.tailorpo.eval.cli;

import dev.tailorpo.api.TailorException;

/** The command line is wrong; {@code tailor} prints the message and the command's usage, and exits 64. */
public class UsageException extends TailorException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
