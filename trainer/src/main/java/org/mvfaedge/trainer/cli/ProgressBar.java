package org.mvfaedge.trainer.cli;

import java.io.PrintStream;

/**
 * A progress line on stderr with count, rate and ETA. On a terminal it redraws in place; otherwise
 * (CI logs, pipes) it prints a plain line at most every few seconds, so logs stay readable.
 */
public final class ProgressBar {
    private final String label;
    private final int total;
    private final PrintStream out;
    private final boolean tty = System.console() != null;
    private final long start = System.nanoTime();
    private long lastPrint;
    private String extra = "";

    /** @param out where to draw, or null for no output */
    public ProgressBar(String label, int total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    /** Extra text after the counts, e.g. the running loss. */
    public void extra(String text) {
        this.extra = text;
    }

    public void update(int done) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastPrint < (tty ? 200_000_000L : 10_000_000_000L)) {
            return;
        }
        lastPrint = now;
        double secs = (now - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : 0;
        int width = 24;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String line = String.format("%s [%s%s] %d/%d %.1f/s ETA %s %s", label, "#".repeat(filled),
                ".".repeat(width - filled), done, total, rate, time(eta), extra);
        if (tty) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    public void done() {
        if (out != null && tty) {
            out.println();
        }
    }

    static String time(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
