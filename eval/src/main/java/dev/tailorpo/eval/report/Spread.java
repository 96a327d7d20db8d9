package dev.tailorpo.eval.report;

/**
 * What the shaded band around a mean curve shows when several training runs (seeds) are pooled.
 * The paper's Fig. 4 shades the range of its three runs ({@link #MIN_MAX}); the standard error of
 * the mean over runs ({@link #STANDARD_ERROR}) is the band that matches the tables' error bars.
 */
public enum Spread {
    /** From the lowest run to the highest at each x. */
    MIN_MAX,
    /** The mean ± its standard error over runs at each x (no band for a single run). */
    STANDARD_ERROR
}
