package org.mvfaedge.sdk.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.Region;

/** Connected regions on hand-drawn maps. */
class RegionFinderTest {
    private static float[] map(String... rows) {
        int w = rows[0].length();
        float[] m = new float[w * rows.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < w; x++) {
                char c = rows[y].charAt(x);
                m[y * w + x] = c == '.' ? 0.1f : (c - '0') / 10f;
            }
        }
        return m;
    }

    @Test
    void boxesAreasPeaksAndMeansOfTwoBlobs() {
        float[] m = map(
                "..........",
                ".55.......",
                ".59....7..",
                "......77..",
                "......7...");
        List<Region> r = new RegionFinder().find(m, 10, 5, 0.5, true, 1);
        assertEquals(2, r.size());
        // Largest first: the 4-pixel blob (ties broken by position), then the other 4-pixel blob.
        Region a = r.get(0);
        assertEquals(new Region(1, 1, 2, 2, 4, 0.9f, 2, 2, (0.5f + 0.5f + 0.5f + 0.9f) / 4), a);
        Region b = r.get(1);
        assertEquals(6, b.x());
        assertEquals(2, b.y());
        assertEquals(2, b.width());
        assertEquals(3, b.height());
        assertEquals(4, b.area());
        assertEquals(0.7f, b.peak(), 1e-6f);
        assertEquals(7, b.peakX());
        assertEquals(2, b.peakY());
    }

    @Test
    void thresholdIsInclusiveAndBelowIsBackground() {
        float[] m = map("5.4", "...");
        List<Region> r = new RegionFinder().find(m, 3, 2, 0.5, true, 1);
        assertEquals(1, r.size());
        assertEquals(0, r.get(0).x());
        assertEquals(1, r.get(0).area());
    }

    @Test
    void diagonalNeighboursJoinOnlyWithEightConnectivity() {
        float[] m = map("9..", ".9.", "..9");
        assertEquals(1, new RegionFinder().find(m, 3, 3, 0.5, true, 1).size());
        assertEquals(3, new RegionFinder().find(m, 3, 3, 0.5, false, 1).size());
    }

    @Test
    void smallRegionsAreDroppedAndTheFinderIsReusableAcrossSizes() {
        RegionFinder f = new RegionFinder();
        float[] big = map("99.9", "99..");
        List<Region> r = f.find(big, 4, 2, 0.5, true, 2);
        assertEquals(1, r.size());
        assertEquals(4, r.get(0).area());
        float[] small = map("9");
        assertEquals(1, f.find(small, 1, 1, 0.5, true, 1).size());
        assertEquals(0, f.find(map("."), 1, 1, 0.5, true, 1).size());
    }
}
