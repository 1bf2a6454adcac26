package org.mvfaedge.trainer.eval;

/**
 * Reference quirk: the paper's evaluation min-max normalises each kind of score over the WHOLE test
 * set ({@code (x - x.min()) / (x.max() - x.min())}) before combining zero- and few-shot scores and
 * computing AUCs. A single-image call cannot do this (the SDK uses calibration statistics instead),
 * but evaluation reproduces it. The arithmetic is float32, as numpy does it on float32 arrays.
 */
public final class SetNormalization {
    private SetNormalization() {
    }

    /** Normalises {@code values[0..length)} in place to 0..1 over the set; returns {min, max}. */
    public static float[] minMaxInPlace(float[] values, int length) {
        if (length == 0) {
            throw new IllegalArgumentException("cannot normalise an empty set of scores");
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        // numpy divides by zero to NaN/inf here; a constant set is reported as all zeros instead so
        // that a degenerate set gives AUC 0.5 rather than a crash. The reference data never hits it.
        float range = max - min;
        for (int i = 0; i < length; i++) {
            float shifted = values[i] - min;
            values[i] = range > 0 ? shifted / range : 0f;
        }
        return new float[] {min, max};
    }

    /** {@code 0.5 * a + 0.5 * b} element-wise, in float32 as the reference combines normalised scores. */
    public static float[] combineHalf(float[] a, float[] b, int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = 0.5f * a[i] + 0.5f * b[i];
        }
        return out;
    }
}
