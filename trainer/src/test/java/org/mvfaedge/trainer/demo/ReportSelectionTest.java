package org.mvfaedge.trainer.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportSelectionTest {
    /**
     * Ten images worked by hand: anomalous 0..5 with scores .9 .1 .5 .7 .3 .2 (by score: 0, 3, 2, 4, 5, 1),
     * normal 6..9 with .4 .05 .6 .15 (by score: 8, 6, 9, 7).
     */
    @Test
    void topAndBottomOfEachClassByScore() {
        float[] scores = {.9f, .1f, .5f, .7f, .3f, .2f, .4f, .05f, .6f, .15f};
        boolean[] anomalous = {true, true, true, true, true, true, false, false, false, false};
        List<ReportSelection.Pick> p = ReportSelection.pick(scores, anomalous, 2, 1);
        assertEquals(List.of(0, 3, 5, 1, 8, 7), p.stream().map(ReportSelection.Pick::index).toList());
        assertEquals("anomalous: score rank 1 of 6 (highest)", p.get(0).reason());
        assertEquals("anomalous: score rank 5 of 6 (lowest)", p.get(2).reason());
        assertEquals("anomalous: score rank 6 of 6 (lowest)", p.get(3).reason());
        assertEquals("normal: score rank 1 of 4 (highest)", p.get(4).reason());
        assertEquals("normal: score rank 4 of 4 (lowest)", p.get(5).reason());
    }

    /** A class smaller than both ends together: each image once, highest first, nothing invented. */
    @Test
    void aSmallClassIsShownWholeWithoutRepeats() {
        float[] scores = {.2f, .8f, .5f, .1f};
        boolean[] anomalous = {true, true, true, false};
        List<ReportSelection.Pick> p = ReportSelection.pick(scores, anomalous, 2, 2);
        assertEquals(List.of(1, 2, 0, 3), p.stream().map(ReportSelection.Pick::index).toList());
        assertTrue(p.get(2).reason().endsWith("(lowest)"));
        assertEquals("normal: score rank 1 of 1 (highest)", p.get(3).reason());
    }

    /** Equal scores keep the test split's order, so the same run always shows the same images. */
    @Test
    void tiesKeepTheSplitsOrder() {
        float[] scores = {.5f, .5f, .5f, .5f, .5f};
        boolean[] anomalous = {true, true, true, true, true};
        assertEquals(List.of(0, 1, 3, 4), ReportSelection.pick(scores, anomalous, 2, 2).stream()
                .map(ReportSelection.Pick::index).toList());
    }

    @Test
    void theDemosQuotasMakeTwelve() {
        float[] scores = new float[40];
        boolean[] anomalous = new boolean[40];
        for (int i = 0; i < 40; i++) {
            scores[i] = i / 40f;
            anomalous[i] = i % 2 == 0;
        }
        assertEquals(12, ReportSelection.pick(scores, anomalous).size());
        assertThrows(IllegalArgumentException.class, () -> ReportSelection.pick(new float[2], new boolean[3]));
    }
}
