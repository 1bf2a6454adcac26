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
 * <p>The inner loop runs once per kept row over all candidate rows; it keeps the projected rows
 * dimension-major ({@code [d][n]}) so that the update of every candidate's distance is an element-wise
 * loop the JIT vectorises, instead of a float reduction it cannot reorder.
 */
public final class CoresetSelector {
    /** PatchCore's projection width. */
    public static final int DEFAULT_PROJECTION_DIMS = 128;

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
     * Projects {@code count} rows (from {@code rows}, row-major, L2-normalised here first) into
     * {@code out} at {@code [p * stride + outFrom + r]} (dimension-major), with the matrix of
     * {@link #projection}.
     */
    public static void project(float[] rows, int from, int count, int width, float[] projection, int pw,
            float[] out, int stride, int outFrom) {
        float[] acc = new float[pw];
        for (int r = 0; r < count; r++) {
            int o = (from + r) * width;
            double sq = 0;
            for (int c = 0; c < width; c++) {
                double v = rows[o + c];
                sq += v * v;
            }
            float inv = 1f / Math.max((float) Math.sqrt(sq), 1e-8f);
            if (projection == null) {
                for (int c = 0; c < width; c++) {
                    out[c * stride + outFrom + r] = rows[o + c] * inv;
                }
                continue;
            }
            java.util.Arrays.fill(acc, 0f);
            for (int c = 0; c < width; c++) {
                float v = rows[o + c] * inv;
                int po = c * pw;
                for (int p = 0; p < pw; p++) {
                    acc[p] += v * projection[po + p];
                }
            }
            for (int p = 0; p < pw; p++) {
                out[p * stride + outFrom + r] = acc[p];
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
        project(rows, 0, count, width, projection(width), pw, projected, count, 0);
        return selectProjected(projected, pw, count, count, budget);
    }

    /**
     * The greedy on rows already projected, dimension-major: value {@code p} of row {@code r} at
     * {@code projected[p * stride + r]}.
     */
    public Selection selectProjected(float[] projected, int pw, int count, int stride, int budget) {
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
        float[] norm = new float[count];
        for (int p = 0; p < pw; p++) {
            int o = p * stride;
            for (int i = 0; i < count; i++) {
                float v = projected[o + i];
                norm[i] += v * v;
            }
        }
        float[] min = new float[count];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        float[] dot = new float[count];
        int[] kept = new int[budget];
        boolean[] isKept = new boolean[count];
        int next = new Random(seed ^ 0x5DEECE66DL).nextInt(count);
        float[] c = new float[pw];
        for (int t = 0; t < budget; t++) {
            kept[t] = next;
            isKept[next] = true;
            min[next] = 0f;
            for (int p = 0; p < pw; p++) {
                c[p] = projected[p * stride + next];
            }
            java.util.Arrays.fill(dot, 0f);
            // Element-wise over the candidates: vectorised by the JIT.
            for (int p = 0; p < pw; p++) {
                float cp = c[p];
                int o = p * stride;
                for (int i = 0; i < count; i++) {
                    dot[i] += projected[o + i] * cp;
                }
            }
            float cn = norm[next];
            float best = -1f;
            int arg = -1;
            for (int i = 0; i < count; i++) {
                // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, clamped: rounding may make it slightly negative.
                float d = Math.max(norm[i] + cn - 2 * dot[i], 0f);
                float m = Math.min(min[i], d);
                min[i] = m;
                if (m > best && !isKept[i]) {
                    best = m;
                    arg = i;
                }
            }
            if (t + 1 < budget) {
                next = arg;
            }
        }
        float radius = 0f;
        for (int i = 0; i < count; i++) {
            radius = Math.max(radius, min[i]);
        }
        return new Selection(kept, Math.sqrt(radius));
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
}
