package org.mvfaedge.trainer.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on stderr with the running mean loss and an ETA. On a terminal it redraws one
 * line in place; otherwise (CI logs, files) it prints a plain line every tenth of the work, so logs
 * stay readable. A null stream makes it silent.
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

    /** Whether stderr is most likely a terminal (a console is attached). */
    public static boolean stderrIsTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    public void step(double meanLoss) {
        done++;
        if (out == null) {
            return;
        }
        if (!terminal && done % every != 0 && done != total) {
            return;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 ? elapsed / done * (total - done) : 0;
        String line;
        if (terminal) {
            int width = 24;
            int filled = (int) Math.round(width * (double) done / total);
            line = String.format(Locale.ROOT, "\r%s [%s%s] %d/%d loss %.4f eta %s", label, "#".repeat(filled),
                    ".".repeat(width - filled), done, total, meanLoss, time(eta));
            int pad = Math.max(0, lastWidth - line.length());
            out.print(line + " ".repeat(pad));
            lastWidth = line.length();
            if (done == total) {
                out.println();
            }
        } else {
            line = String.format(Locale.ROOT, "%s %d/%d loss %.4f elapsed %s eta %s", label, done, total, meanLoss,
                    time(elapsed), time(eta));
            out.println(line);
        }
        out.flush();
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
