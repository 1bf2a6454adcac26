package org.mvfaedge.trainer.heads;

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

/** The few-shot head against test_few.py's per-image maps and det scores in the tiny-a fixture. */
class FewShotHeadTest {

    private static MemoryBank fixtureBank(NDManager m) {
        List<NDArray> seg = new ArrayList<>();
        List<NDArray> det = new ArrayList<>();
        for (int k = 0; k < HeadFixture.levels(); k++) {
            seg.add(HeadFixture.array(m, HeadFixture.dir().resolve("memory/seg_level" + k + ".npy")));
            det.add(HeadFixture.array(m, HeadFixture.dir().resolve("memory/det_level" + k + ".npy")));
        }
        return MemoryBank.fromRows(m, seg, det);
    }

    @Test
    void mapsAndDetScoreMatchTheReference() {
        int size = HeadFixture.imageSize();
        try (NDManager m = NDManager.newBaseManager(); MemoryBank bank = fixtureBank(m)) {
            FewShotHead head = new FewShotHead(size);
            try (FewShotOutput out = head.forward(HeadFixture.batchLevels(m, "seg"),
                    HeadFixture.batchLevels(m, "det"), bank)) {
                assertEquals(new Shape(HeadFixture.images(), size, size), out.segMap().getShape());
                Fixtures.assertClose("few-shot seg map of every forward image", out.segMap().toFloatArray(),
                        HeadFixture.expected("few_seg_map.npy"), 1e-4);
                Fixtures.assertClose("few-shot det map of every forward image", out.detMap().toFloatArray(),
                        HeadFixture.expected("few_det_map.npy"), 1e-4);
                Fixtures.assertClose("few-shot det score of every forward image", out.detScore().toFloatArray(),
                        HeadFixture.expected("few_det_score.npy"), 1e-4);
            }
        }
    }

    @Test
    void chunkedSimilarityEqualsOneProduct() {
        int size = HeadFixture.imageSize();
        // A bound of 7 elements forces one bank row per chunk (images x patches > 7): the running
        // maximum must give the same maps as the single product (up to the rounding of products of
        // different shapes, which BLAS blocks differently).
        try (NDManager m = NDManager.newBaseManager(); MemoryBank bank = fixtureBank(m)) {
            List<NDArray> seg = HeadFixture.batchLevels(m, "seg");
            List<NDArray> det = HeadFixture.batchLevels(m, "det");
            try (FewShotOutput whole = new FewShotHead(size).forward(seg, det, bank);
                    FewShotOutput chunked = new FewShotHead(size, 7).forward(seg, det, bank);
                    FewShotOutput someRows = new FewShotHead(size, queryRows(seg.get(0)) * 100)
                            .forward(seg, det, bank)) {
                Fixtures.assertClose("few-shot seg map chunk=1 row vs whole bank",
                        chunked.segMap().toFloatArray(), whole.segMap().toFloatArray(), 1e-6);
                Fixtures.assertClose("few-shot det map chunk=100 rows vs whole bank",
                        someRows.detMap().toFloatArray(), whole.detMap().toFloatArray(), 1e-6);
            }
        }
    }

    /** Patch tokens of a batch: {@code N * G*G}, the rows of one similarity product. */
    private static long queryRows(NDArray tokens) {
        return tokens.getShape().get(0) * (tokens.getShape().get(1) - 1);
    }

    @Test
    void aQueryThatIsInTheBankHasZeroDistanceThere() {
        // Invariant: tokens identical to bank rows have max cosine 1, so their map is 0 everywhere
        // (up to rounding), whatever the rest of the bank holds.
        try (NDManager m = NDManager.newBaseManager(); MemoryBank bank = fixtureBank(m)) {
            long t = HeadFixture.batchTokens(m, "seg", 0).getShape().get(1);
            // The second image of the bank (rows t..2t-1, its CLS row first).
            NDArray image = bank.rows(TokenBranch.SEG, 0).get("{}:{}", t, 2 * t).expandDims(0);
            NDArray map = new FewShotHead(40).levelMap(image, bank.unitRows(TokenBranch.SEG, 0));
            assertEquals(new Shape(1, 40, 40), map.getShape());
            float max = map.abs().max().getFloat();
            System.out.printf("few-shot map of a bank image against its own bank: max %.3e%n", max);
            assertTrue(max < 1e-5, "max " + max);
        }
    }

    @Test
    void mismatchedLevelsOrWidthsAreRejected() {
        int size = HeadFixture.imageSize();
        try (NDManager m = NDManager.newBaseManager(); MemoryBank bank = fixtureBank(m)) {
            List<NDArray> seg = HeadFixture.batchLevels(m, "seg");
            List<NDArray> det = HeadFixture.batchLevels(m, "det");
            FewShotHead head = new FewShotHead(size);
            HeadInputException e = assertThrows(HeadInputException.class,
                    () -> head.forward(seg.subList(0, 2), det.subList(0, 2), bank));
            assertTrue(e.getMessage().contains("memory bank has " + HeadFixture.levels()), e.getMessage());
            NDArray narrow = m.zeros(new Shape(HeadFixture.images(), HeadFixture.config().tokens(), 8));
            e = assertThrows(HeadInputException.class,
                    () -> head.levelMap(narrow, bank.unitRows(TokenBranch.SEG, 0)));
            assertTrue(e.getMessage().contains("C = 8"), e.getMessage());
            assertThrows(HeadInputException.class, () -> new FewShotHead(size, 0));
        }
    }
}
