package org.mvfaedge.sdk.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.Region;

/**
 * The bounded grid: within its pixel budget with the input's aspect, the identity for inputs that fit,
 * and regions found on it agreeing with regions found on the full-resolution map (the second
 * implementation: the finder run on the input's own map).
 */
class MapGridTest {
    @Test
    void fitsTheBudgetKeepsTheAspectAndIsTheIdentityWhenItFits() {
        MapGrid same = MapGrid.fit(2048, 2048, 1L << 22);
        assertTrue(same.full());
        assertEquals(1.0, same.scale());
        List<Region> regions = List.of(new Region(1, 2, 3, 4, 12, 0.9f, 2, 3, 0.7f));
        assertSame(regions, same.toInput(regions));
        for (int[] wh : new int[][] {{6000, 6000}, {3000, 2000}, {10000, 3}, {7, 9000}, {4097, 4097}}) {
            MapGrid g = MapGrid.fit(wh[0], wh[1], 1L << 20);
            assertTrue((long) g.width() * g.height() <= 1L << 20, g.toString());
            assertTrue(g.width() >= 1 && g.height() >= 1 && g.width() <= wh[0] && g.height() <= wh[1], g.toString());
            double aspectIn = (double) wh[0] / wh[1];
            double aspectOut = (double) g.width() / g.height();
            assertTrue(g.width() == 1 || g.height() == 1 || Math.abs(Math.log(aspectIn / aspectOut)) < 0.01, g.toString());
        }
    }

    @Test
    void regionsOnTheGridMatchRegionsOnTheFullMap() {
        int s = 16;
        float[] model = new float[s * s];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                // two hot blobs of different sizes on a cold background
                double a = Math.exp(-((x - 4.0) * (x - 4.0) + (y - 5.0) * (y - 5.0)) / 3.0);
                double b = 0.8 * Math.exp(-((x - 11.0) * (x - 11.0) + (y - 10.0) * (y - 10.0)) / 6.0);
                model[y * s + x] = (float) (a + b);
            }
        }
        int w = 3000;
        int h = 2400;
        float[] full = new float[w * h];
        MapResampler.resize(model, s, s, full, w, h);
        RegionFinder finder = new RegionFinder();
        List<Region> truth = finder.find(full, w, h, 0.5, true, 100);
        MapGrid g = MapGrid.fit(w, h, 1L << 18);
        List<Region> onGrid = g.toInput(new RegionFinder().find(g.resample(model, s), g.width(), g.height(), 0.5, true,
                g.gridArea(100)));
        assertEquals(2, truth.size());
        assertEquals(truth.size(), onGrid.size());
        double cell = (double) w / g.width();
        for (int i = 0; i < truth.size(); i++) {
            Region t = truth.get(i);
            Region r = onGrid.get(i);
            assertTrue(Math.abs(t.x() - r.x()) <= cell + 1 && Math.abs(t.y() - r.y()) <= cell + 1, t + " vs " + r);
            assertTrue(Math.abs(t.width() - r.width()) <= 2 * cell + 1 && Math.abs(t.height() - r.height()) <= 2 * cell + 1,
                    t + " vs " + r);
            assertEquals(t.area(), r.area(), t.area() * 0.02, t + " vs " + r);
            // the grid samples the same bilinear surface at other points: the peak is within a cell's rise
            assertEquals(t.peak(), r.peak(), 1e-2, t + " vs " + r);
            assertEquals(t.mean(), r.mean(), 2e-3, t + " vs " + r);
        }
    }
}
