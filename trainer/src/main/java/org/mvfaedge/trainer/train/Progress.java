package org.mvfaedge.trainer.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The one progress line of the command line: count, ETA and (for training) the running mean loss, on
 * stderr. On a terminal it redraws one line in place; otherwise (CI logs, files) it prints a plain line
 * every tenth of the work, so logs stay readable. A null stream makes it silent.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private final int every;
    private int done;
    private int lastWidth;

    public Progress(PrintStream out, boolean terminal, String label, int total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = Math.max(total, 1);
        this.every = Math.max(1, this.total / 10);
    }

    /** A progress line on {@code out} (null: silent), redrawn in place when stderr is a terminal. */
    public static Progress to(String label, int total, PrintStream out) {
        return new Progress(out, stderrIsTerminal(), label, total);
    }

    /** Whether stderr is most likely a terminal (a console is attached). */
    public static boolean stderrIsTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    /** One more unit done (a training step), with the running mean loss. */
    public void step(double meanLoss) {
        show(done + 1, String.format(Locale.ROOT, " loss %.4f", meanLoss));
    }

    /** {@code doneSoFar} units done (an evaluation's images); usable as an {@code IntConsumer}. */
    public void update(int doneSoFar) {
        show(doneSoFar, "");
    }

    /** Ends the line on a terminal if the work stopped short of the total. */
    public void done() {
        if (out != null && terminal && lastWidth > 0 && done < total) {
            out.println();
            out.flush();
        }
    }

    private void show(int doneSoFar, String stats) {
        int previous = done;
        done = Math.min(doneSoFar, total);
        if (out == null || done == previous) {
            return;
        }
        if (!terminal && done / every == previous / every && done != total) {
            return;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 ? elapsed / done * (total - done) : 0;
        if (terminal) {
            int width = 24;
            int filled = (int) Math.round(width * (double) done / total);
            String line = String.format(Locale.ROOT, "\r%s [%s%s] %d/%d%s eta %s", label, "#".repeat(filled),
                    ".".repeat(width - filled), done, total, stats, time(eta));
            int pad = Math.max(0, lastWidth - line.length());
            out.print(line + " ".repeat(pad));
            lastWidth = line.length();
            if (done == total) {
                out.println();
            }
        } else {
            out.println(String.format(Locale.ROOT, "%s %d/%d%s elapsed %s eta %s", label, done, total, stats,
                    time(elapsed), time(eta)));
        }
        out.flush();
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
