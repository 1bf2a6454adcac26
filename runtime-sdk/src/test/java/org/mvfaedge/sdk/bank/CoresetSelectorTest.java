package org.mvfaedge.sdk.bank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast selector against a direct implementation of greedy k-center (double precision, row-major,
 * distances as sums of squared differences), and against the properties that define greedy k-center.
 */
class CoresetSelectorTest {
    /** Clustered rows, as patch tokens are: a few centres with noise, plus stray rows. */
    static float[] rows(int count, int width, long seed) {
        Random r = new Random(seed);
        int clusters = 5;
        float[][] centres = new float[clusters][width];
        for (float[] c : centres) {
            for (int i = 0; i < width; i++) {
                c[i] = (float) r.nextGaussian();
            }
        }
        float[] out = new float[count * width];
        for (int n = 0; n < count; n++) {
            float[] c = centres[r.nextInt(clusters)];
            double spread = n % 17 == 0 ? 1.0 : 0.2;
            for (int i = 0; i < width; i++) {
                out[n * width + i] = (float) (c[i] + spread * r.nextGaussian());
            }
        }
        return out;
    }

    /** Greedy k-center written directly from its definition. */
    static int[] naive(float[] rows, int width, int count, int budget, long seed, int dims) {
        float[] proj = new CoresetSelector(seed, dims).projection(width);
        int pw = proj == null ? width : dims;
        double[][] y = new double[count][pw];
        for (int r = 0; r < count; r++) {
            double sq = 0;
            for (int c = 0; c < width; c++) {
                sq += (double) rows[r * width + c] * rows[r * width + c];
            }
            double n = Math.sqrt(sq);
            for (int p = 0; p < pw; p++) {
                double s = 0;
                if (proj == null) {
                    s = rows[r * width + p] / n;
                } else {
                    for (int c = 0; c < width; c++) {
                        s += rows[r * width + c] / n * proj[c * pw + p];
                    }
                }
                y[r][p] = s;
            }
        }
        int[] kept = new int[budget];
        boolean[] chosen = new boolean[count];
        kept[0] = new Random(seed ^ 0x5DEECE66DL).nextInt(count);
        chosen[kept[0]] = true;
        for (int t = 1; t < budget; t++) {
            double best = -1;
            int arg = -1;
            for (int r = 0; r < count; r++) {
                if (chosen[r]) {
                    continue;
                }
                double nearest = Double.POSITIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    double d = 0;
                    for (int p = 0; p < pw; p++) {
                        double e = y[r][p] - y[kept[j]][p];
                        d += e * e;
                    }
                    nearest = Math.min(nearest, d);
                }
                if (nearest > best) {
                    best = nearest;
                    arg = r;
                }
            }
            kept[t] = arg;
            chosen[arg] = true;
        }
        return kept;
    }

    @Test
    void selectsTheSameRowsAsADirectImplementationForTheSameSeed() {
        for (long seed : new long[] {0, 1, 42}) {
            // Projected (width 40 > 8 dims) and unprojected (width 6 <= 8 dims) rows.
            for (int width : new int[] {40, 6}) {
                float[] x = rows(150, width, seed + 7);
                int[] fast = new CoresetSelector(seed, 8).select(x, width, 150, 30).kept();
                int[] direct = naive(x, width, 150, 30, seed, 8);
                assertArrayEquals(direct, fast, "seed " + seed + ", width " + width);
            }
        }
        float[] x = rows(150, 40, 3);
        assertTrue(!Arrays.equals(new CoresetSelector(1, 8).select(x, 40, 150, 30).kept(),
                new CoresetSelector(2, 8).select(x, 40, 150, 30).kept()), "another seed, another selection");
    }

    @Test
    void everyDroppedRowLiesWithinTheReportedRadiusOfAKeptRow() {
        int width = 200;
        int count = 400;
        float[] x = rows(count, width, 11);
        CoresetSelector sel = new CoresetSelector(5); // 128 dims
        CoresetSelector.Selection s = sel.select(x, width, count, 60);
        assertEquals(60, s.kept().length);
        assertEquals(60, Arrays.stream(s.kept()).distinct().count(), "no row kept twice");
        double radius = CoresetSelector.coveringRadius(x, width, count, s.kept());
        assertTrue(radius > 0 && radius < 2, "unit rows are at most 2 apart: " + radius);
        // Independently, row by row: each row's nearest kept row (float arithmetic, unnormalised rows
        // normalised here) is within the reported radius; one row attains it.
        double worst = 0;
        for (int r = 0; r < count; r++) {
            double best = Double.POSITIVE_INFINITY;
            for (int k : s.kept()) {
                best = Math.min(best, unitDistance(x, width, r, k));
            }
            assertTrue(best <= radius + 1e-6, "row " + r + " at " + best + " > radius " + radius);
            worst = Math.max(worst, best);
        }
        assertEquals(radius, worst, 1e-6);
        // Greedy k-center's own guarantee, in the space it works in: every kept row was the farthest when
        // chosen, so kept rows lie at least the final covering radius apart (the 2-approximation).
        double minPair = Double.POSITIVE_INFINITY;
        float[] proj = sel.projection(width);
        float[] y = new float[128 * count];
        CoresetSelector.project(x, 0, count, width, proj, 128, y, 0);
        for (int a = 0; a < s.kept().length; a++) {
            for (int b = a + 1; b < s.kept().length; b++) {
                double d = 0;
                for (int p = 0; p < 128; p++) {
                    double e = y[s.kept()[a] * 128 + p] - y[s.kept()[b] * 128 + p];
                    d += e * e;
                }
                minPair = Math.min(minPair, Math.sqrt(d));
            }
        }
        assertTrue(s.projectedRadius() <= minPair + 1e-5, s.projectedRadius() + " > " + minPair);
        // More rows kept, a smaller radius; all rows kept, radius 0.
        double wider = CoresetSelector.coveringRadius(x, width, count, sel.select(x, width, count, 200).kept());
        assertTrue(wider < radius, wider + " !< " + radius);
        assertEquals(0, CoresetSelector.coveringRadius(x, width, count, sel.select(x, width, count, count).kept()), 0);
    }

    @Test
    void duplicateRowsAreNeverKeptTwice() {
        float[] x = new float[10 * 3];
        for (int r = 0; r < 10; r++) {
            x[r * 3 + (r < 2 ? r : 2)] = 1; // rows 2..9 identical
        }
        int[] kept = new CoresetSelector(0).select(x, 3, 10, 5).kept();
        assertEquals(5, Arrays.stream(kept).distinct().count(), Arrays.toString(kept));
    }

    private static double unitDistance(float[] x, int w, int a, int b) {
        float na = 0;
        float nb = 0;
        for (int c = 0; c < w; c++) {
            na += x[a * w + c] * x[a * w + c];
            nb += x[b * w + c] * x[b * w + c];
        }
        na = (float) Math.sqrt(na);
        nb = (float) Math.sqrt(nb);
        double d = 0;
        for (int c = 0; c < w; c++) {
            double e = x[a * w + c] / na - x[b * w + c] / nb;
            d += e * e;
        }
        return Math.sqrt(d);
    }
}
