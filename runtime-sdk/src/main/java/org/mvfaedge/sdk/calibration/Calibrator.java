package org.mvfaedge.sdk.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.runtime.RawOutputs;

/**
 * Fits a package's calibration on a calibration set: per-output statistics (min, max, mean and 1st/99th
 * percentiles of the raw outputs), the combination rule, and a decision threshold on the calibrated
 * image score chosen by a stated rule (best F1, or the highest threshold that reaches a target
 * sensitivity), with the operating point reached there.
 */
public final class Calibrator {
    /** Threshold rules written to the manifest. */
    public static final String BEST_F1 = "best-f1";
    public static final String TARGET_SENSITIVITY = "target-sensitivity";
    public static final String DEFAULT = "default";
    private static final int QUANTILE_SAMPLE = 1 << 20;

    private final boolean fewShot;
    private final boolean hasMasks;
    private final int levels;
    private final List<RawOutputs> batches = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    /**
     * @param fewShot whether the package holds a memory bank
     * @param hasMasks whether the object has pixel masks (image score = combined map's maximum)
     * @param levels adapter levels (outputs are sums over levels: the uncalibrated range is 0..levels)
     */
    public Calibrator(boolean fewShot, boolean hasMasks, int levels) {
        this.fewShot = fewShot;
        this.hasMasks = hasMasks;
        this.levels = levels;
    }

    /** Adds a batch of raw outputs with their image labels (1 anomalous, 0 normal). */
    public void add(RawOutputs outputs, int[] batchLabels) {
        if (batchLabels.length != outputs.n()) {
            throw new IllegalArgumentException(outputs.n() + " images but " + batchLabels.length + " labels");
        }
        if (fewShot && outputs.fewMap() == null) {
            throw new IllegalArgumentException("few-shot calibration needs few-shot outputs");
        }
        batches.add(outputs);
        for (int l : batchLabels) {
            labels.add(l);
        }
    }

    public int images() {
        return labels.size();
    }

    /**
     * Without a calibration set: scores divided by the number of levels (each output is a sum over
     * levels of values in 0..1), threshold 0.5.
     */
    public static Manifest.Calibration uncalibrated(boolean fewShot, boolean hasMasks, int levels) {
        Manifest.Stats s = new Manifest.Stats(0, levels, Double.NaN, Double.NaN, Double.NaN);
        Map<String, Manifest.Stats> stats = new LinkedHashMap<>();
        stats.put("zero_map", s);
        stats.put("zero_score", s);
        if (fewShot) {
            stats.put("few_map", s);
            stats.put("few_score", s);
        }
        return new Manifest.Calibration("none", 0, stats, fewShot ? ScoreCalibration.COMBINE_FEW : ScoreCalibration.COMBINE_ZERO,
                imageRule(fewShot, hasMasks), 0.5, DEFAULT, null, null);
    }

    private static String imageRule(boolean fewShot, boolean hasMasks) {
        // The paper: test_few.py takes the combined map's maximum for objects with masks; test_zero.py
        // and image-level objects use the det scores.
        return fewShot && hasMasks ? ScoreCalibration.MAX_OF_MAP : ScoreCalibration.COMBINED_SCORES;
    }

    /**
     * Fits the calibration.
     *
     * @param source where the calibration images came from ({@code valid} or {@code shots})
     * @param targetSensitivity the sensitivity to reach, or null for the best-F1 threshold
     */
    public Manifest.Calibration fit(String source, Double targetSensitivity) {
        if (labels.isEmpty()) {
            throw new IllegalStateException("no calibration images were added");
        }
        Map<String, Manifest.Stats> stats = new LinkedHashMap<>();
        stats.put("zero_map", stats(b -> b.zeroMap()));
        stats.put("zero_score", stats(b -> b.zeroScore()));
        if (fewShot) {
            stats.put("few_map", stats(b -> b.fewMap()));
            stats.put("few_score", stats(b -> b.fewScore()));
        }
        String combination = fewShot ? ScoreCalibration.COMBINE_FEW : ScoreCalibration.COMBINE_ZERO;
        String rule = imageRule(fewShot, hasMasks);
        Manifest.Calibration provisional = new Manifest.Calibration(source, images(), stats, combination, rule, 0.5,
                DEFAULT, null, null);
        ScoreCalibration cal = new ScoreCalibration(provisional);
        float[] scores = new float[images()];
        int k = 0;
        for (RawOutputs b : batches) {
            for (int i = 0; i < b.n(); i++) {
                scores[k++] = cal.score(b, i, null);
            }
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        int pos = (int) Arrays.stream(y).filter(v -> v != 0).count();
        if (pos == 0 || pos == y.length) {
            // One class only: no operating point can be measured; keep the midpoint.
            return new Manifest.Calibration(source, images(), stats, combination, rule, 0.5, DEFAULT, null, null);
        }
        Threshold t = targetSensitivity == null ? bestF1(scores, y) : forSensitivity(scores, y, targetSensitivity);
        return new Manifest.Calibration(source, images(), stats, combination, rule, t.value,
                targetSensitivity == null ? BEST_F1 : TARGET_SENSITIVITY, targetSensitivity, t.point);
    }

    private interface Pick {
        float[] of(RawOutputs b);
    }

    private Manifest.Stats stats(Pick pick) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        long n = 0;
        for (RawOutputs b : batches) {
            for (float v : pick.of(b)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                n++;
            }
        }
        // Percentiles from an even sample of at most 2^20 values (maps hold millions of pixels).
        long stride = Math.max(1, n / QUANTILE_SAMPLE);
        float[] sample = new float[(int) Math.min(n, (n + stride - 1) / stride)];
        long idx = 0;
        int k = 0;
        for (RawOutputs b : batches) {
            for (float v : pick.of(b)) {
                if (idx++ % stride == 0 && k < sample.length) {
                    sample[k++] = v;
                }
            }
        }
        sample = Arrays.copyOf(sample, k);
        Arrays.sort(sample);
        return new Manifest.Stats(min, max, sum / n, quantile(sample, 0.01), quantile(sample, 0.99));
    }

    static double quantile(float[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    record Threshold(double value, Manifest.OperatingPoint point) {
    }

    /** Decision rule: anomalous when score >= threshold. Candidates are the observed scores. */
    static Manifest.OperatingPoint pointAt(float[] scores, int[] y, double t) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int tn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean flagged = scores[i] >= t;
            if (y[i] != 0) {
                if (flagged) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (flagged) {
                fp++;
            } else {
                tn++;
            }
        }
        double sens = tp / (double) Math.max(1, tp + fn);
        double spec = tn / (double) Math.max(1, tn + fp);
        double prec = tp + fp == 0 ? 1.0 : tp / (double) (tp + fp);
        double f1 = prec + sens == 0 ? 0 : 2 * prec * sens / (prec + sens);
        return new Manifest.OperatingPoint(sens, spec, prec, f1, tp + fn, tn + fp);
    }

    static Threshold bestF1(float[] scores, int[] y) {
        float[] candidates = distinct(scores);
        Threshold best = null;
        for (float t : candidates) {
            Manifest.OperatingPoint p = pointAt(scores, y, t);
            if (best == null || p.f1() > best.point.f1()) {
                best = new Threshold(t, p);
            }
        }
        return best;
    }

    static Threshold forSensitivity(float[] scores, int[] y, double target) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target sensitivity must be in (0, 1], got " + target);
        }
        float[] candidates = distinct(scores);
        // Highest threshold that still flags at least the target share of anomalous images.
        for (int i = candidates.length - 1; i >= 0; i--) {
            Manifest.OperatingPoint p = pointAt(scores, y, candidates[i]);
            if (p.sensitivity() >= target) {
                return new Threshold(candidates[i], p);
            }
        }
        float lowest = candidates[0];
        return new Threshold(lowest, pointAt(scores, y, lowest));
    }

    private static float[] distinct(float[] scores) {
        float[] s = scores.clone();
        Arrays.sort(s);
        int k = 0;
        for (int i = 0; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                s[k++] = s[i];
            }
        }
        return Arrays.copyOf(s, k);
    }
}
