package org.mvfaedge.sdk.bank;

import java.util.Arrays;

/**
 * One level's memory bank (seg or det) built from rows that stream in, holding at most twice its
 * budget: rows are appended (L2-normalised, as the graph expects them) until {@code 2 x budget} are
 * held, then greedy k-center ({@link CoresetSelector}) keeps {@code budget} of them and the next rows
 * fill the freed half. So memory stays at the budget plus one reduction batch of {@code budget} rows,
 * whatever the number of images, and each row pays for one selection among 2 x budget rows, not one
 * per image (selecting among budget + one image's rows after every image costs about four times as
 * much per row). {@link #finish} reduces what is left to the budget.
 *
 * <p>Each row is projected once, when it arrives; the projection of kept rows is kept with them.
 * With budget 0 the bank keeps every row (no selection, no projection).
 */
public final class BoundedBank {
    /** The reference's cosine-similarity epsilon: rows are divided by max(norm, EPS). */
    public static final float EPS = 1e-8f;

    private final int width;
    private final int budget;
    private final CoresetSelector selector;
    private final float[] projection;
    private final int pw;
    private final int capacity;
    private float[] data;
    /** Projected rows, row-major ({@code pw} values a row). */
    private final float[] projected;
    private int held;
    private long seen;
    private int reductions;

    /**
     * @param width row width (the adapter bottleneck)
     * @param budget rows kept; 0 keeps every row
     * @param seed the selection's seed (projection and first row)
     */
    public BoundedBank(int width, int budget, long seed) {
        if (width < 1 || budget < 0) {
            throw new IllegalArgumentException("a bank needs width >= 1 and budget >= 0, got " + width + ", " + budget);
        }
        this.width = width;
        this.budget = budget;
        this.selector = new CoresetSelector(seed);
        if (budget > 0) {
            this.capacity = Math.multiplyExact(2, budget);
            checkSize(capacity);
            this.pw = selector.projectedWidth(width);
            this.projection = selector.projection(width);
            this.data = new float[0]; // grows to capacity x width as rows arrive
            this.projected = new float[pw * capacity];
        } else {
            this.capacity = Integer.MAX_VALUE;
            this.pw = 0;
            this.projection = null;
            this.data = new float[0];
            this.projected = null;
        }
    }

    private void checkSize(long rows) {
        if (rows * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory bank of " + rows + " rows of " + width
                    + " does not fit one tensor; use a smaller --bank-budget or enroll fewer images");
        }
    }

    /** Appends {@code count} rows of {@code src} from row {@code from}, normalising each. */
    public void add(float[] src, int from, int count) {
        add(src, from, count, false);
    }

    /** Appends rows that are unit rows already (a package's bank), copying them bit for bit. */
    public void addUnit(float[] src, int from, int count) {
        add(src, from, count, true);
    }

    private void add(float[] src, int from, int count, boolean unit) {
        if ((long) (from + count) * width > src.length) {
            throw new IllegalArgumentException("rows " + from + ".." + (from + count) + " of width " + width
                    + " exceed the " + src.length + " values given");
        }
        int done = 0;
        while (done < count) {
            if (held == capacity) {
                reduce();
            }
            int n = Math.min(count - done, capacity - held);
            checkSize((long) held + n);
            if (data.length < (held + n) * width) {
                long grown = Math.max((long) (held + n) * width, 2L * data.length);
                long cap = budget > 0 ? (long) capacity * width : Integer.MAX_VALUE - 8;
                data = Arrays.copyOf(data, (int) Math.min(grown, cap));
            }
            if (unit) {
                System.arraycopy(src, (from + done) * width, data, held * width, n * width);
            } else {
                normalise(src, from + done, n, held);
            }
            if (budget > 0) {
                CoresetSelector.project(data, held, n, width, projection, pw, projected, held);
            }
            held += n;
            seen += n;
            done += n;
        }
    }

    private void normalise(float[] src, int from, int count, int at) {
        for (int r = 0; r < count; r++) {
            int s = (from + r) * width;
            double sq = 0;
            for (int c = 0; c < width; c++) {
                double v = src[s + c];
                sq += v * v;
            }
            float norm = Math.max((float) Math.sqrt(sq), EPS);
            int o = (at + r) * width;
            for (int c = 0; c < width; c++) {
                data[o + c] = src[s + c] / norm;
            }
        }
    }

    /** Keeps {@code budget} of the held rows by greedy k-center, in their arrival order. */
    private void reduce() {
        if (budget == 0 || held <= budget) {
            return;
        }
        int[] kept = selector.selectProjected(projected, pw, held, budget).kept().clone();
        Arrays.sort(kept); // arrival order; kept[j] >= j, so rows move down in place
        for (int j = 0; j < kept.length; j++) {
            int r = kept[j];
            if (r != j) {
                System.arraycopy(data, r * width, data, j * width, width);
                System.arraycopy(projected, r * pw, projected, j * pw, pw);
            }
        }
        held = budget;
        reductions++;
    }

    /** Reduces the held rows to the budget and returns them ({@code [rows * width]}, a copy). */
    public float[] finish() {
        reduce();
        return Arrays.copyOf(data, held * width);
    }

    /** Rows held now. */
    public int rows() {
        return held;
    }

    /** Rows added in all. */
    public long rowsSeen() {
        return seen;
    }

    public int width() {
        return width;
    }

    public int budget() {
        return budget;
    }

    /** Selections run so far. */
    public int reductions() {
        return reductions;
    }

    /** Bytes of the arrays this bank holds (rows and their projection). */
    public long heapBytes() {
        return 4L * data.length + (projected == null ? 0 : 4L * projected.length);
    }
}
