package org.mvfaedge.trainer.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * ROC curve points for plotting: (false positive rate, true positive rate) at every distinct score
 * threshold, thinned to about {@code maxPoints} points (a pixel-level curve has a million thresholds;
 * a chart needs a few hundred). Ties move diagonally, as they do in the AUC.
 */
final class RocCurve {
    private RocCurve() {
    }

    static double[][] of(float[] scores, boolean[] positive, int maxPoints) {
        int n = scores.length;
        if (positive.length != n) {
            throw new IllegalArgumentException(n + " scores but " + positive.length + " labels");
        }
        // Sort indices by descending score through a primitive key sort (fast for millions of pixels):
        // pack the score's sortable bits with the index.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(scores[i]);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) sortable << 32) | (i & 0xffffffffL);
        }
        java.util.Arrays.sort(keys);
        long pos = 0;
        for (boolean p : positive) {
            pos += p ? 1 : 0;
        }
        long neg = n - pos;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0});
        long tp = 0;
        long fp = 0;
        int every = Math.max(1, n / Math.max(1, maxPoints));
        int sinceLast = 0;
        for (int k = n - 1; k >= 0; k--) {
            int i = (int) keys[k];
            if (positive[i]) {
                tp++;
            } else {
                fp++;
            }
            boolean boundary = k == 0 || (int) (keys[k - 1] >>> 32) != (int) (keys[k] >>> 32);
            sinceLast++;
            if (boundary && sinceLast >= every) {
                pts.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
                sinceLast = 0;
            }
        }
        double[] last = pts.get(pts.size() - 1);
        if (last[0] != 1 || last[1] != 1) {
            pts.add(new double[] {1, 1});
        }
        return pts.toArray(new double[0][]);
    }
}
