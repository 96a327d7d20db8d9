package dev.tailorpo.eval.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * Progress of long work: a progress bar on a terminal, plain log lines (at most one per
 * {@code logEvery} steps, plus the last) when the output goes to a file or CI log.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final PrintStream log;
    private final String task;
    private final long total;
    private final long logEvery;
    private final long started = System.nanoTime();
    private long lastLogged;

    private Progress(ProgressBar bar, PrintStream log, String task, long total, long logEvery, long initial) {
        this.lastLogged = initial;
        this.bar = bar;
        this.log = log;
        this.task = task;
        this.total = total;
        this.logEvery = Math.max(1, logEvery);
    }

    /** A bar when stderr is a terminal, else log lines on {@code err}. */
    public static Progress start(String task, long total, long initial, PrintStream err, long logEvery) {
        if (System.console() != null && err == System.err) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).startsFrom(initial, java.time.Duration.ZERO)
                    .build();
            return new Progress(bar, null, task, total, logEvery, initial);
        }
        return new Progress(null, err, task, total, logEvery, initial);
    }

    /**
     * Moves to {@code done} steps, with a short status such as {@code loss 0.031}. As log lines, one
     * is printed each time {@code done} crosses a multiple of {@code logEvery}, and at the end.
     */
    public void update(long done, String status) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(status);
        } else if (done / logEvery > lastLogged / logEvery || done == total) {
            // steps may advance by more than one (samples per iteration), so log on crossing a multiple
            lastLogged = done;
            double seconds = (System.nanoTime() - started) / 1e9;
            log.printf("%s %d/%d  %s  (%.0f s)%n", task, done, total, status, seconds);
            log.flush();
        }
    }

    /** A line that must be seen (a checkpoint, a resume), above the bar. */
    public void note(String message) {
        if (bar != null) {
            System.err.print("\r");
        }
        (log != null ? log : System.err).println(message);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
