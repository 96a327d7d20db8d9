package dev.tailorpo.eval.cli;

/** The exit codes of {@code tailor} (64 and 70 as in BSD's sysexits.h). */
public final class ExitCodes {
    private ExitCodes() {}

    /** The command did its work. */
    public static final int OK = 0;
    /** The work failed with an error the message explains (a {@code TailorException}, an I/O error). */
    public static final int ERROR = 2;
    /** The command line was wrong: unknown command or option, bad value, missing argument. */
    public static final int USAGE = 64;
    /** A bug: an exception the framework did not expect; the stack trace is printed. */
    public static final int INTERNAL = 70;
}
