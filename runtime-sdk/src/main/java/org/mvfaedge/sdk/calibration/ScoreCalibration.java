package org.mvfaedge.sdk.calibration;

import java.util.Map;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.runtime.RawOutputs;

/**
 * Turns one image's raw outputs into the calibrated anomaly map and image score of a package, with
 * the statistics fixed at export: {@code norm(x) = (x - min) / (max - min)} per output (the paper's
 * set-level min-max normalisation, with the set being the calibration set), combined 0.5/0.5 for
 * few-shot packages; the image score is the combined map's maximum (few-shot, objects with masks) or
 * the combined image scores (otherwise), as in the paper's evaluation protocols.
 */
public final class ScoreCalibration {
    /** Combination rule names written to the manifest. */
    public static final String COMBINE_FEW = "0.5*norm(zero)+0.5*norm(few)";
    public static final String COMBINE_ZERO = "norm(zero)";
    /** Image score rule names written to the manifest. */
    public static final String MAX_OF_MAP = "max-of-map";
    public static final String COMBINED_SCORES = "combined-scores";

    private final boolean few;
    private final boolean maxOfMap;
    private final Manifest.Stats zeroMap;
    private final Manifest.Stats fewMap;
    private final Manifest.Stats zeroScore;
    private final Manifest.Stats fewScore;
    private final double threshold;

    public ScoreCalibration(Manifest.Calibration c) {
        this.few = COMBINE_FEW.equals(c.combination());
        if (!few && !COMBINE_ZERO.equals(c.combination())) {
            throw new IllegalArgumentException("unknown combination rule '" + c.combination() + "'");
        }
        this.maxOfMap = MAX_OF_MAP.equals(c.imageScore());
        if (!maxOfMap && !COMBINED_SCORES.equals(c.imageScore())) {
            throw new IllegalArgumentException("unknown image score rule '" + c.imageScore() + "'");
        }
        Map<String, Manifest.Stats> s = c.statistics();
        this.zeroMap = require(s, "zero_map");
        this.zeroScore = require(s, "zero_score");
        this.fewMap = few ? require(s, "few_map") : null;
        this.fewScore = few ? require(s, "few_score") : null;
        this.threshold = c.threshold();
    }

    private static Manifest.Stats require(Map<String, Manifest.Stats> s, String name) {
        Manifest.Stats v = s.get(name);
        if (v == null) {
            throw new IllegalArgumentException("calibration statistics lack '" + name + "'");
        }
        return v;
    }

    public boolean fewShot() {
        return few;
    }

    public double threshold() {
        return threshold;
    }

    static float norm(float x, Manifest.Stats s) {
        double range = s.max() - s.min();
        return range > 0 ? (float) ((x - s.min()) / range) : 0f;
    }

    /** Image {@code i}'s calibrated map [S*S]. */
    public float[] map(RawOutputs r, int i) {
        int p = r.size() * r.size();
        float[] out = new float[p];
        int off = i * p;
        for (int k = 0; k < p; k++) {
            float z = norm(r.zeroMap()[off + k], zeroMap);
            out[k] = few ? 0.5f * z + 0.5f * norm(r.fewMap()[off + k], fewMap) : z;
        }
        return out;
    }

    /** Image {@code i}'s calibrated image score; {@code map} is its calibrated map (or null to compute it). */
    public float score(RawOutputs r, int i, float[] map) {
        if (maxOfMap) {
            float[] m = map != null ? map : map(r, i);
            float max = Float.NEGATIVE_INFINITY;
            for (float v : m) {
                max = Math.max(max, v);
            }
            return max;
        }
        float z = norm(r.zeroScore()[i], zeroScore);
        return few ? 0.5f * z + 0.5f * norm(r.fewScore()[i], fewScore) : z;
    }
}
