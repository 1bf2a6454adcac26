package org.mvfaedge.trainer.eval;

import java.util.Arrays;

/**
 * Area under the ROC curve exactly as scikit-learn's {@code roc_auc_score} computes it for binary
 * labels: tied scores form one step of the curve, so a positive and a negative with equal scores
 * count one half (the Mann-Whitney statistic with ties).
 *
 * <p>Built for pixel AUC on real test sets (about 4,000 images at 240 x 240 = 230 million pixels):
 * positives and negatives are copied into two primitive float arrays, sorted, and merged in one pass,
 * so memory is one extra float per pixel and no boxing ever happens.
 */
public final class RocAuc {
    private RocAuc() {
    }

    /** AUC of {@code scores} against labels ({@code true}/non-zero = anomalous). */
    public static double of(float[] scores, boolean[] labels) {
        check(scores.length, labels.length);
        int pos = 0;
        for (boolean l : labels) {
            if (l) {
                pos++;
            }
        }
        float[] p = new float[pos];
        float[] n = new float[scores.length - pos];
        int ip = 0;
        int in = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i]) {
                p[ip++] = scores[i];
            } else {
                n[in++] = scores[i];
            }
        }
        return ofSplit(p, n);
    }

    /** AUC with byte labels (non-zero = anomalous), the compact form used for pixel masks. */
    public static double of(float[] scores, byte[] labels, int length) {
        if (length > scores.length || length > labels.length) {
            throw new IllegalArgumentException("length " + length + " exceeds the arrays");
        }
        int pos = 0;
        for (int i = 0; i < length; i++) {
            if (labels[i] != 0) {
                pos++;
            }
        }
        float[] p = new float[pos];
        float[] n = new float[length - pos];
        int ip = 0;
        int in = 0;
        for (int i = 0; i < length; i++) {
            if (labels[i] != 0) {
                p[ip++] = scores[i];
            } else {
                n[in++] = scores[i];
            }
        }
        return ofSplit(p, n);
    }

    /**
     * AUC from the scores of the positives and of the negatives (both arrays are sorted in place).
     * Counts, for every positive, the negatives strictly below it plus half of those equal to it.
     */
    public static double ofSplit(float[] positives, float[] negatives) {
        if (positives.length == 0 || negatives.length == 0) {
            // sklearn raises here: "Only one class present in y_true. ROC AUC score is not defined".
            throw new IllegalArgumentException("ROC AUC is undefined with only one class present ("
                    + positives.length + " anomalous, " + negatives.length + " normal)");
        }
        for (float v : positives) {
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException("scores contain NaN");
            }
        }
        for (float v : negatives) {
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException("scores contain NaN");
            }
        }
        Arrays.sort(positives);
        Arrays.sort(negatives);
        // Exact integer arithmetic: counts of (pos > neg) pairs, and of equal pairs.
        long below = 0; // negatives strictly below the current positive
        long greaterPairs = 0;
        long equalPairs = 0;
        int j = 0;
        int i = 0;
        while (i < positives.length) {
            float v = positives[i];
            int runEnd = i;
            while (runEnd < positives.length && positives[runEnd] == v) {
                runEnd++;
            }
            long run = runEnd - i;
            while (j < negatives.length && negatives[j] < v) {
                j++;
            }
            below = j;
            int k = j;
            while (k < negatives.length && negatives[k] == v) {
                k++;
            }
            greaterPairs += run * below;
            equalPairs += run * (k - j);
            i = runEnd;
        }
        double total = (double) positives.length * (double) negatives.length;
        return (greaterPairs + 0.5 * equalPairs) / total;
    }

    private static void check(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("scores (" + a + ") and labels (" + b + ") differ in length");
        }
    }
}
