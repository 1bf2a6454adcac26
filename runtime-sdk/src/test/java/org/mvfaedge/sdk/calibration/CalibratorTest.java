package org.mvfaedge.sdk.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.runtime.RawOutputs;

class CalibratorTest {
    /** Image-level few-shot: four images with hand-computed normalised scores. */
    @Test
    void imageLevelStatisticsAndBestF1() {
        Calibrator c = new Calibrator(true, false, 4);
        float[] map = new float[4 * 4];
        // zero scores 1,2,3,5 -> norm 0, .25, .5, 1 ; few scores 0,1,1,2 -> 0, .5, .5, 1
        c.add(new RawOutputs(4, 2, map, new float[] {1, 2, 3, 5}, map, new float[] {0, 1, 1, 2}), new int[] {0, 0, 1, 1});
        Manifest.Calibration cal = c.fit("valid", null);
        assertEquals(1.0, cal.statistics().get("zero_score").min());
        assertEquals(5.0, cal.statistics().get("zero_score").max());
        assertEquals(ScoreCalibration.COMBINED_SCORES, cal.imageScore());
        // combined: 0, .375, .5, 1 -> best F1 threshold at 0.5 (both anomalies, no false alarm)
        assertEquals(0.5, cal.threshold(), 1e-7);
        assertEquals(1.0, cal.operatingPoint().f1(), 1e-12);
        assertEquals(Calibrator.BEST_F1, cal.thresholdRule());
        ScoreCalibration apply = new ScoreCalibration(cal);
        RawOutputs one = new RawOutputs(1, 2, new float[4], new float[] {3}, new float[4], new float[] {1});
        assertEquals(0.5f, apply.score(one, 0, null), 1e-7);
    }

    @Test
    void targetSensitivityPicksTheHighestThresholdReachingIt() {
        float[] s = {0.1f, 0.2f, 0.3f, 0.4f, 0.6f, 0.9f};
        int[] y = {0, 1, 0, 1, 0, 1};
        var t = Calibrator.forSensitivity(s, y, 2.0 / 3);
        assertEquals(0.4f, (float) t.value(), 0);
        assertEquals(2.0 / 3, t.point().sensitivity(), 1e-12);
        var all = Calibrator.forSensitivity(s, y, 1.0);
        assertEquals(0.2f, (float) all.value(), 0);
        assertEquals(1.0, all.point().sensitivity());
    }

    @Test
    void maskedFewShotUsesTheMapMaximum() {
        Calibrator c = new Calibrator(true, true, 1);
        float[] zero = {0, 1, 2, 4, /* image 2 */ 0, 0, 0, 2};
        float[] few = {0, 0, 1, 1, /* */ 0, 0, 0, 0.5f};
        c.add(new RawOutputs(2, 2, zero, new float[] {0, 1}, few, new float[] {0, 1}), new int[] {1, 0});
        Manifest.Calibration cal = c.fit("shots", null);
        assertEquals(ScoreCalibration.MAX_OF_MAP, cal.imageScore());
        ScoreCalibration apply = new ScoreCalibration(cal);
        RawOutputs r = new RawOutputs(2, 2, zero, new float[] {0, 1}, few, new float[] {0, 1});
        float[] m0 = apply.map(r, 0);
        assertEquals(1.0f, m0[3], 1e-7); // 0.5 * 4/4 + 0.5 * 1/1
        assertEquals(1.0f, apply.score(r, 0, m0), 1e-7);
        assertEquals(0.5f * 0.5f + 0.5f * 0.5f, apply.score(r, 1, null), 1e-7);
        assertTrue(cal.statistics().get("few_map").p99() <= 1.0);
    }

    @Test
    void uncalibratedDividesByLevels() {
        ScoreCalibration apply = new ScoreCalibration(Calibrator.uncalibrated(false, true, 4));
        RawOutputs r = new RawOutputs(1, 1, new float[] {2}, new float[] {1}, null, null);
        assertEquals(0.5f, apply.map(r, 0)[0], 0);
        assertEquals(0.25f, apply.score(r, 0, null), 0);
    }
}
