package dev.tailorpo.eval.report;

/**
 * Which way a table column improves, so that its best cell can be set in bold: most rewards are
 * higher-is-better, but a loss, a KL or a compressed size in bytes is lower-is-better, and a count
 * such as N has no best at all.
 */
public enum Better {
    HIGHER,
    LOWER,
    /** No cell of the column is marked best. */
    NONE
}
