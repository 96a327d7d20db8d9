package dev.tailorpo.diffusion.pipeline;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches libtorch's thread-local autograd recording off for a block, restoring the previous
 * state on close: {@code try (GradMode g = GradMode.disabled()) { ... }}. Used for the reference
 * policy and for sampling inside an open gradient collector, where no graph must be recorded.
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;

    private GradMode(boolean previous) {
        this.previous = previous;
    }

    /** Turns recording off until {@link #close()}. */
    public static GradMode disabled() {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new GradMode(previous);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
