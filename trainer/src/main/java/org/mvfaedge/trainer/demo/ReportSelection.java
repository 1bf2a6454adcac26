package org.mvfaedge.trainer.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which test images the report shows, and why: for each class the highest- and the lowest-scoring ones, so
 * that a reader sees the clearest findings and the hardest cases (the anomalous images the model missed, the
 * normal ones it flagged) side by side rather than whichever came first in the folder. Ties keep the test
 * split's order; an image is picked once even when a class is smaller than its quota.
 */
public final class ReportSelection {
    /** One picked image: its index in the test split and the reason it is shown. */
    public record Pick(int index, String reason) {
    }

    /** The quotas of the demo's grid: 8 anomalous (4 top, 4 bottom), 4 normal (2 top, 2 bottom): 12 images. */
    public static final int ANOMALOUS_EACH_END = 4;
    public static final int NORMAL_EACH_END = 2;

    private ReportSelection() {
    }

    /** The sentence the report prints above the grid. */
    public static String explanation() {
        return "Shown: of the anomalous test images the " + ANOMALOUS_EACH_END + " with the highest and the "
                + ANOMALOUS_EACH_END + " with the lowest score (clearest findings, then the hardest cases), and of the "
                + "normal ones the " + NORMAL_EACH_END + " with the highest score (likeliest false alarms) and the "
                + NORMAL_EACH_END + " with the lowest; each row says which it is.";
    }

    /** The demo's 12: {@link #pick(float[], boolean[], int, int)} with its quotas. */
    public static List<Pick> pick(float[] scores, boolean[] anomalous) {
        return pick(scores, anomalous, ANOMALOUS_EACH_END, NORMAL_EACH_END);
    }

    /**
     * Anomalous images first (highest scores, then the lowest, each in descending score), then the normal ones
     * the same way.
     */
    public static List<Pick> pick(float[] scores, boolean[] anomalous, int anomalousEachEnd, int normalEachEnd) {
        if (scores.length != anomalous.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + anomalous.length + " labels");
        }
        List<Pick> out = new ArrayList<>();
        out.addAll(ends(scores, anomalous, true, anomalousEachEnd, "anomalous"));
        out.addAll(ends(scores, anomalous, false, normalEachEnd, "normal"));
        return out;
    }

    private static List<Pick> ends(float[] scores, boolean[] anomalous, boolean which, int each, String name) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (anomalous[i] == which) {
                idx.add(i);
            }
        }
        // descending score, the split's order among equal scores (a stable sort)
        idx.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<Pick> out = new ArrayList<>();
        int top = Math.min(each, idx.size());
        for (int r = 0; r < top; r++) {
            out.add(new Pick(idx.get(r), name + ": score rank " + (r + 1) + " of " + idx.size() + " (highest)"));
        }
        int bottomFrom = Math.max(top, idx.size() - each);
        for (int r = bottomFrom; r < idx.size(); r++) {
            out.add(new Pick(idx.get(r), name + ": score rank " + (r + 1) + " of " + idx.size() + " (lowest)"));
        }
        return out;
    }
}
