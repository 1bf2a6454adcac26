package org.mvfaedge.trainer.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;

/** Memory-bank layout and stacking, against the fixture's banks {@code memory/<seg|det>_level<k>.npy}. */
class MemoryBankTest {
    private static final String[] BRANCHES = {"seg", "det"};

    private static float[] bank(String branch, int level) {
        return Fixtures.npy(HeadFixture.dir().resolve("memory/" + branch + "_level" + level + ".npy")).floats();
    }

    private static long[] bankShape(String branch, int level) {
        return Fixtures.npy(HeadFixture.dir().resolve("memory/" + branch + "_level" + level + ".npy")).shape;
    }

    /** Tokens per image, CLS included: grid^2 + 1 of the fixture's configuration. */
    private static int tokensPerImage() {
        return HeadFixture.config().tokens();
    }

    @Test
    void fixtureBankHoldsWholeImagesWithTheirClsRowFirst() {
        // Reference quirk: every image's CLS token is in the bank. Row i * (1+G*G) of every image is
        // much closer to row 0 (a CLS token) than any patch row is.
        int t = tokensPerImage();
        for (String b : BRANCHES) {
            for (int k = 0; k < HeadFixture.levels(); k++) {
                float[] rows = bank(b, k);
                long[] shape = bankShape(b, k);
                int c = (int) shape[1];
                int m = (int) shape[0];
                assertEquals(0, m % t, b + k + ": rows are whole images of " + t + " tokens");
                assertEquals(HeadFixture.config().memoryBankRows(), m, b + k + ": " + HeadFixture.config().shots()
                        + " support images x 11 augmented views x " + t + " tokens");
                double minCls = 1;
                double maxPatch = -1;
                for (int r = 0; r < m; r++) {
                    double cos = cosine(rows, r, 0, c);
                    if (r % t == 0) {
                        minCls = Math.min(minCls, cos);
                    } else {
                        maxPatch = Math.max(maxPatch, cos);
                    }
                }
                assertTrue(minCls > maxPatch + 0.1, b + " level " + k + ": CLS rows (min cos " + minCls
                        + ") are not separated from patch rows (max cos " + maxPatch + ")");
            }
        }
    }

    private static double cosine(float[] rows, int a, int b, int c) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < c; i++) {
            double x = rows[a * c + i];
            double y = rows[b * c + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void perImageAddsInOrderReproduceTheFixtureBank() {
        // Feed the bank image by image (each [1+G*G, C] block of the fixture, in row order, as the
        // integration feeds the augmented support images), and in one batched add; both must
        // reproduce the fixture files exactly.
        int t = tokensPerImage();
        int levels = HeadFixture.levels();
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> segAll = new ArrayList<>();
            List<NDArray> detAll = new ArrayList<>();
            for (int k = 0; k < levels; k++) {
                segAll.add(HeadFixture.array(m, HeadFixture.dir().resolve("memory/seg_level" + k + ".npy")));
                detAll.add(HeadFixture.array(m, HeadFixture.dir().resolve("memory/det_level" + k + ".npy")));
            }
            long images = segAll.get(0).getShape().get(0) / t;
            MemoryBank.Builder perImage = MemoryBank.builder();
            MemoryBank.Builder batched = MemoryBank.builder();
            List<NDArray> segBatch = new ArrayList<>();
            List<NDArray> detBatch = new ArrayList<>();
            for (int k = 0; k < levels; k++) {
                segBatch.add(segAll.get(k).reshape(images, t, -1));
                detBatch.add(detAll.get(k).reshape(images, t, -1));
            }
            batched.add(segBatch, detBatch);
            for (long i = 0; i < images; i++) {
                List<NDArray> seg = new ArrayList<>();
                List<NDArray> det = new ArrayList<>();
                for (int k = 0; k < levels; k++) {
                    seg.add(segBatch.get(k).get(i));
                    det.add(detBatch.get(k).get(i));
                }
                perImage.add(seg, det);
            }
            assertEquals(images, perImage.adds());
            try (MemoryBank a = perImage.build(m); MemoryBank b = batched.build(m)) {
                assertEquals(levels, a.levels());
                for (int k = 0; k < levels; k++) {
                    for (TokenBranch br : TokenBranch.values()) {
                        float[] expected = bank(br == TokenBranch.SEG ? "seg" : "det", k);
                        assertArrayEquals(expected, a.toFloatArray(br, k), br + " level " + k);
                        assertArrayEquals(expected, b.toFloatArray(br, k), br + " level " + k + " batched");
                        assertEquals(new Shape(bankShape("seg", k)), a.rows(br, k).getShape());
                    }
                }
                float[][] det = a.toFloatArrays(TokenBranch.DET);
                assertEquals(levels, det.length);
                assertArrayEquals(bank("det", levels - 1), det[levels - 1]);
            }
        }
    }

    @Test
    void unitRowsHaveNormOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rows = HeadFixture.array(m,
                    HeadFixture.dir().resolve("memory/det_level" + (HeadFixture.levels() - 1) + ".npy"));
            try (MemoryBank bank = MemoryBank.fromRows(m, List.of(rows), List.of(rows))) {
                float[] norms = bank.unitRows(TokenBranch.DET, 0).norm(new int[] {1}).toFloatArray();
                for (float n : norms) {
                    assertEquals(1f, n, 1e-6f);
                }
            }
        }
    }

    @Test
    void inconsistentInputsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(5, 4));
            NDArray wide = m.zeros(new Shape(5, 6));
            MemoryBank.Builder b = MemoryBank.builder();
            assertThrows(HeadInputException.class, () -> b.build(m), "empty bank");
            b.add(List.of(a, a), List.of(a, a));
            HeadInputException e = assertThrows(HeadInputException.class, () -> b.add(List.of(a), List.of(a)));
            assertTrue(e.getMessage().contains("2 levels"), e.getMessage());
            e = assertThrows(HeadInputException.class, () -> b.add(List.of(a, wide), List.of(a, a)));
            assertTrue(e.getMessage().contains("6 wide"), e.getMessage());
            assertThrows(HeadInputException.class, () -> b.add(List.of(a), List.of(a, a)));
            try (MemoryBank bank = b.build(m)) {
                e = assertThrows(HeadInputException.class, () -> bank.rows(TokenBranch.SEG, 2));
                assertTrue(e.getMessage().contains("has 2 levels"), e.getMessage());
            }
        }
    }
}
