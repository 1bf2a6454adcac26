package org.mvfaedge.sdk.detect;

import java.util.Arrays;

/**
 * A growing {@code [M, C]} block of memory-bank rows, each L2-normalised as the exporter writes
 * them: divided by {@code max(||row||, 1e-8)} (the reference's {@code cos_sim} epsilon), the norm
 * summed in double, so the graph only normalises the query side.
 */
public final class BankRows {
    /** The reference's cosine-similarity epsilon. */
    public static final float EPS = 1e-8f;

    private final int width;
    private float[] data;
    private int rows;

    public BankRows(int width, float[] initial) {
        if (initial.length % width != 0) {
            throw new IllegalArgumentException(initial.length + " values are not rows of " + width);
        }
        this.width = width;
        this.data = initial.clone();
        this.rows = initial.length / width;
    }

    /** Appends {@code count} rows from {@code src} (offset {@code from}), normalising each. */
    public void appendNormalised(float[] src, int from, int count) {
        ensure(rows + count);
        for (int r = 0; r < count; r++) {
            int s = from + r * width;
            double sq = 0;
            for (int c = 0; c < width; c++) {
                double v = src[s + c];
                sq += v * v;
            }
            float norm = Math.max((float) Math.sqrt(sq), EPS);
            int o = (rows + r) * width;
            for (int c = 0; c < width; c++) {
                data[o + c] = src[s + c] / norm;
            }
        }
        rows += count;
    }

    private void ensure(int wanted) {
        if ((long) wanted * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory bank of " + wanted + " rows of " + width
                    + " does not fit one tensor; enroll fewer images");
        }
        if (data.length < wanted * width) {
            data = Arrays.copyOf(data, Math.max(wanted * width, data.length * 2));
        }
    }

    public int rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    /** The rows as {@code [rows * width]} (a copy of exactly that length). */
    public float[] toArray() {
        return Arrays.copyOf(data, rows * width);
    }
}
