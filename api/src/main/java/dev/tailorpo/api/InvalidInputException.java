package dev.tailorpo.api;

/** An argument has the wrong shape, range or value (a NaN reward, a batch of the wrong size, ...). */
public class InvalidInputException extends TailorException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
