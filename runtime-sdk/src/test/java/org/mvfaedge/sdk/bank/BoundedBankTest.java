package org.mvfaedge.sdk.bank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BoundedBankTest {
    static float[] unitRows(float[] x, int width) {
        float[] out = x.clone();
        for (int r = 0; r < x.length / width; r++) {
            double sq = 0;
            for (int c = 0; c < width; c++) {
                sq += (double) x[r * width + c] * x[r * width + c];
            }
            float n = (float) Math.sqrt(sq);
            for (int c = 0; c < width; c++) {
                out[r * width + c] = x[r * width + c] / n;
            }
        }
        return out;
    }

    @Test
    void withoutABudgetEveryRowIsKeptNormalisedInOrder() {
        float[] x = CoresetSelectorTest.rows(300, 20, 1);
        BoundedBank b = new BoundedBank(20, 0, 7);
        b.add(x, 0, 100);
        b.add(x, 100, 200);
        assertArrayEquals(unitRows(x, 20), b.finish(), 1e-7f);
        assertEquals(300, b.rowsSeen());
    }

    @Test
    void rowsThatFitOneBatchGiveTheOneShotSelectionInArrivalOrder() {
        int width = 150;
        float[] x = CoresetSelectorTest.rows(180, width, 2);
        BoundedBank b = new BoundedBank(width, 100, 9);
        b.add(x, 0, 60);
        b.add(x, 60, 120);
        float[] got = b.finish();
        int[] kept = new CoresetSelector(9).select(x, width, 180, 100).kept().clone();
        Arrays.sort(kept);
        float[] unit = unitRows(x, width);
        float[] want = new float[kept.length * width];
        for (int j = 0; j < kept.length; j++) {
            System.arraycopy(unit, kept[j] * width, want, j * width, width);
        }
        assertArrayEquals(want, got, 1e-7f);
        assertEquals(1, b.reductions());
    }

    @Test
    void streamingHoldsAtMostTwiceTheBudgetAndKeepsACoverOfEveryRow() {
        int width = 150;
        int count = 2000;
        int budget = 100;
        float[] x = CoresetSelectorTest.rows(count, width, 3);
        BoundedBank b = new BoundedBank(width, budget, 4);
        for (int from = 0; from < count; from += 37) {
            b.add(x, from, Math.min(37, count - from));
            assertTrue(b.rows() <= 2 * budget, "held " + b.rows());
        }
        float[] kept = b.finish();
        assertEquals(budget * width, kept.length);
        assertEquals(count, b.rowsSeen());
        // Every kept row is one of the input rows (normalised).
        float[] unit = unitRows(x, width);
        int[] index = new int[budget];
        for (int j = 0; j < budget; j++) {
            index[j] = -1;
            for (int r = 0; r < count && index[j] < 0; r++) {
                if (Arrays.equals(Arrays.copyOfRange(unit, r * width, r * width + width),
                        Arrays.copyOfRange(kept, j * width, j * width + width))) {
                    index[j] = r;
                }
            }
            assertTrue(index[j] >= 0, "kept row " + j + " is not an input row");
        }
        // The streamed selection covers all rows nearly as well as one selection over everything.
        double streamed = CoresetSelector.coveringRadius(x, width, count, index);
        double oneShot = CoresetSelector.coveringRadius(x, width, count,
                new CoresetSelector(4).select(x, width, count, budget).kept());
        assertTrue(streamed <= 1.5 * oneShot, "streamed radius " + streamed + " vs one-shot " + oneShot);
    }
}
