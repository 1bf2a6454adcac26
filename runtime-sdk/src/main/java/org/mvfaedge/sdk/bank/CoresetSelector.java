package org.mvfaedge.sdk.bank;

import java.util.Random;

/**
 * Greedy k-center coreset selection of memory-bank rows, as PatchCore (Roth et al., CVPR 2022) reduces
 * its patch bank: rows are L2-normalised, projected by a seeded Gaussian random matrix to
 * {@link #DEFAULT_PROJECTION_DIMS} dimensions (Johnson-Lindenstrauss: distances are kept up to a small
 * factor, and every distance costs 128 products instead of the bank's width), then the first row is
 * drawn with the seed and each next row is the one farthest from every row kept so far. Ties go to the
 * lowest row index, so a seed fully determines the selection: the matrix is {@code [width][d]} of
 * {@code new Random(seed).nextGaussian() / sqrt(d)} in that order, the first row
 * {@code new Random(seed ^ 0x5DEECE66DL).nextInt(n)}; rows no wider than d are used as they are.
 *
 * <p>Distances are computed only where the triangle inequality cannot rule them out (see
 * {@link #selectProjected}), which keeps the selection exact and makes it several times cheaper than
 * one distance per row per kept row.
 */
public final class CoresetSelector {
    /** PatchCore's projection width. */
    public static final int DEFAULT_PROJECTION_DIMS = 128;
    /** Dimensions summed first: their partial distance is a lower bound that rules most pairs out. */
    private static final int HEAD_DIMS = 16;
    /** Relative margin on every pruning test, far above float rounding, so pruning never changes a choice. */
    private static final float MARGIN = 1e-4f;

    private final long seed;
    private final int dims;

    /** A selector with PatchCore's 128-dimension projection. */
    public CoresetSelector(long seed) {
        this(seed, DEFAULT_PROJECTION_DIMS);
    }

    /**
     * @param seed seeds the projection matrix and the first row
     * @param projectionDims width of the projected rows; rows no wider than this are not projected
     */
    public CoresetSelector(long seed, int projectionDims) {
        if (projectionDims < 1) {
            throw new IllegalArgumentException("projection dimensions must be >= 1, got " + projectionDims);
        }
        this.seed = seed;
        this.dims = projectionDims;
    }

    public long seed() {
        return seed;
    }

    /**
     * The selection: kept row indices in the order they were chosen, and the covering radius in the
     * projected space (the largest distance of any row to its nearest kept row, as the greedy measured
     * it; 0 when every row is kept).
     */
    public record Selection(int[] kept, double projectedRadius) {
    }

    /**
     * The projection matrix {@code [width][d]} for rows of {@code width}, or null when rows are not
     * projected. Gaussian entries scaled by 1/sqrt(d), so projected distances estimate the original ones.
     */
    public float[] projection(int width) {
        if (width <= dims) {
            return null;
        }
        Random r = new Random(seed);
        float[] p = new float[width * dims];
        double scale = 1 / Math.sqrt(dims);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextGaussian() * scale);
        }
        return p;
    }

    /** Projected width of rows of {@code width}. */
    public int projectedWidth(int width) {
        return width <= dims ? width : dims;
    }

    /**
     * Projects {@code count} rows (from row {@code from} of {@code rows}, row-major, L2-normalised here
     * first) into {@code out} from row {@code outFrom} (row-major, {@code pw} values a row), with the
     * matrix of {@link #projection} (null: the normalised rows themselves).
     */
    public static void project(float[] rows, int from, int count, int width, float[] projection, int pw,
            float[] out, int outFrom) {
        for (int r = 0; r < count; r++) {
            int o = (from + r) * width;
            double sq = 0;
            for (int c = 0; c < width; c++) {
                double v = rows[o + c];
                sq += v * v;
            }
            float inv = 1f / Math.max((float) Math.sqrt(sq), 1e-8f);
            int t = (outFrom + r) * pw;
            if (projection == null) {
                for (int c = 0; c < width; c++) {
                    out[t + c] = rows[o + c] * inv;
                }
                continue;
            }
            java.util.Arrays.fill(out, t, t + pw, 0f);
            for (int c = 0; c < width; c++) {
                float v = rows[o + c] * inv;
                int po = c * pw;
                // Element-wise over the projected values: vectorised by the JIT.
                for (int p = 0; p < pw; p++) {
                    out[t + p] += v * projection[po + p];
                }
            }
        }
    }

    /**
     * Selects {@code budget} of the {@code count} rows of {@code rows} ({@code [count * width]},
     * row-major). With {@code budget >= count} every row is kept, in order.
     */
    public Selection select(float[] rows, int width, int count, int budget) {
        int pw = projectedWidth(width);
        float[] projected = new float[pw * count];
        project(rows, 0, count, width, projection(width), pw, projected, 0);
        return selectProjected(projected, pw, count, budget);
    }

    /**
     * The greedy on rows already projected ({@code [count * pw]}, row-major).
     *
     * <p>Exact, but it skips most distance computations by the triangle inequality (as Elkan's
     * k-means does): a row at distance m from its nearest kept row a cannot come closer than m to a new
     * kept row c when |c - a| >= 2m, so the rows of a kept row a whose rows all lie within r of it are
     * skipped at once when |c - a| >= 2r. Partial sums over the first dimensions bound distances from
     * below, so most tests stop after 16 of the 128 products (partial distance search).
     */
    public Selection selectProjected(float[] y, int pw, int count, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("a budget must keep at least one row, got " + budget);
        }
        if (budget >= count) {
            int[] all = new int[count];
            for (int i = 0; i < count; i++) {
                all[i] = i;
            }
            return new Selection(all, 0);
        }
        float[] min = new float[count]; // squared distance to the nearest kept row
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        int[] nearest = new int[count];
        java.util.Arrays.fill(nearest, -1);
        boolean[] isKept = new boolean[count];
        int[] kept = new int[budget];
        float[] centres = new float[budget * pw];
        float[] between = new float[budget]; // squared distances of the new kept row to the earlier ones
        float[] reach = new float[budget]; // an upper bound of the squared distance of a kept row's rows to it
        boolean[] skip = new boolean[budget];
        int head = Math.min(HEAD_DIMS, pw);
        int next = new Random(seed ^ 0x5DEECE66DL).nextInt(count);
        float best = 0f;
        for (int t = 0; t < budget; t++) {
            kept[t] = next;
            isKept[next] = true;
            min[next] = 0f;
            int co = t * pw;
            System.arraycopy(y, next * pw, centres, co, pw);
            // Which earlier kept rows' rows the new one may take: |c - a| < 2 reach(a). A partial sum over
            // the first dimensions is already a lower bound of the distance, so most are ruled out cheaply.
            for (int j = 0; j < t; j++) {
                float limit = 4f * reach[j] * (1f + MARGIN) + 1e-12f;
                float part = distance2(centres, j * pw, centres, co, 0, head);
                if (part >= limit) {
                    skip[j] = true;
                    continue;
                }
                float full = part + distance2(centres, j * pw, centres, co, head, pw);
                between[j] = full;
                skip[j] = full >= limit;
            }
            reach[t] = 0f;
            best = -1f;
            int arg = -1;
            for (int i = 0; i < count; i++) {
                if (isKept[i]) {
                    continue;
                }
                float m = min[i];
                int a = nearest[i];
                // Row level: |c - a| >= 2 sqrt(m) rules the row out (margin for rounding).
                if (a < 0 || !skip[a] && between[a] < 4f * m * (1f + MARGIN) + 1e-12f) {
                    int io = i * pw;
                    float d = distance2(y, io, centres, co, 0, head);
                    if (d < m) { // partial distance search: stop once the partial sum reaches m
                        d += distance2(y, io, centres, co, head, pw);
                        if (d < m) {
                            m = d;
                            min[i] = d;
                            nearest[i] = t;
                            if (d > reach[t]) {
                                reach[t] = d;
                            }
                        }
                    }
                }
                if (m > best) {
                    best = m;
                    arg = i;
                }
            }
            if (t + 1 < budget) {
                next = arg;
            }
        }
        return new Selection(kept, Math.sqrt(Math.max(best, 0f)));
    }

    /**
     * The covering radius of a selection measured exactly on the original rows (L2-normalised, in
     * double): the largest distance of a row to its nearest kept row.
     */
    public static double coveringRadius(float[] rows, int width, int count, int[] kept) {
        double[] unit = new double[count * width];
        for (int r = 0; r < count; r++) {
            double sq = 0;
            for (int c = 0; c < width; c++) {
                double v = rows[r * width + c];
                sq += v * v;
            }
            double n = Math.max(Math.sqrt(sq), 1e-8);
            for (int c = 0; c < width; c++) {
                unit[r * width + c] = rows[r * width + c] / n;
            }
        }
        double radius = 0;
        for (int r = 0; r < count; r++) {
            double best = Double.POSITIVE_INFINITY;
            for (int k : kept) {
                double s = 0;
                for (int c = 0; c < width; c++) {
                    double d = unit[r * width + c] - unit[k * width + c];
                    s += d * d;
                }
                best = Math.min(best, s);
            }
            radius = Math.max(radius, best);
        }
        return Math.sqrt(radius);
    }

    /** Squared distance over dimensions {@code from..to} of two rows, in four lanes the JIT can overlap. */
    static float distance2(float[] x, int xo, float[] z, int zo, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int p = from;
        for (; p + 3 < to; p += 4) {
            float d0 = x[xo + p] - z[zo + p];
            float d1 = x[xo + p + 1] - z[zo + p + 1];
            float d2 = x[xo + p + 2] - z[zo + p + 2];
            float d3 = x[xo + p + 3] - z[zo + p + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; p < to; p++) {
            float d = x[xo + p] - z[zo + p];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
