package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The few-shot head of MVFA (test_few.py): per level, each patch token (CLS dropped) is scored
 * {@code 1 - max cosine similarity} to the memory bank's rows of that level, reshaped to the G x G
 * grid, upsampled bilinearly (align_corners) to S x S and summed over levels. The seg map compares
 * seg tokens with the seg bank, the det map det tokens with the det bank; the det score is the mean
 * of the summed det map.
 *
 * <p>The similarity is one matrix product of unit rows, {@code [N, G*G, C] @ [C, M]}. A real bank is
 * large (4 shots x 11 augmentations x 290 tokens = 12,760 rows per level), so the product is taken
 * over chunks of bank rows whose partial result stays under {@link #maxChunkElements}, keeping a
 * running maximum.
 *
 * <p>A call temporarily attaches the bank's rows to its own scope (so no intermediate lands in the
 * bank's memory); like DJL managers, a bank is meant for one thread at a time.
 */
public final class FewShotHead {
    /** Default bound on the elements of one partial similarity matrix (64 MiB of float32). */
    public static final long DEFAULT_MAX_CHUNK_ELEMENTS = 16L << 20;

    private final int imageSize;
    private final long maxChunkElements;

    /** @param imageSize side S of the square maps (the run's img_size) */
    public FewShotHead(int imageSize) {
        this(imageSize, DEFAULT_MAX_CHUNK_ELEMENTS);
    }

    /**
     * @param imageSize side S of the square maps
     * @param maxChunkElements bound on {@code N * G*G * rows} of one partial similarity matrix
     */
    public FewShotHead(int imageSize, long maxChunkElements) {
        if (imageSize < 1) {
            throw new HeadInputException("image size must be >= 1, got " + imageSize);
        }
        if (maxChunkElements < 1) {
            throw new HeadInputException("chunk bound must be >= 1 element, got " + maxChunkElements);
        }
        this.imageSize = imageSize;
        this.maxChunkElements = maxChunkElements;
    }

    /**
     * One level's distance map {@code [N, S, S]}: {@code 1 - max cos(patch, bank row)} upsampled.
     *
     * @param tokens {@code [N, 1+G*G, C]}
     * @param unitBank the level's bank rows divided by their norms, {@code [M, C]}
     *                 (see {@link MemoryBank#unitRows})
     */
    public NDArray levelMap(NDArray tokens, NDArray unitBank) {
        int g = TokenGrid.checkBatch(tokens, "few-shot tokens");
        Shape bs = unitBank.getShape();
        long c = tokens.getShape().get(2);
        if (bs.dimension() != 2 || bs.get(1) != c || bs.get(0) < 1) {
            throw new HeadInputException("memory bank rows must be [M, C] with M >= 1 and C = " + c
                    + " (the tokens' width), got shape " + bs);
        }
        long n = tokens.getShape().get(0);
        NDManager parent = tokens.getManager();
        try (NDManager scope = parent.newSubManager()) {
            tokens.tempAttach(scope);
            unitBank.tempAttach(scope);
            NDArray unit = MemoryBank.unit(TokenGrid.patches(tokens));       // [N, G*G, C]
            NDArray maxCos = maxSimilarity(unit, unitBank, n * g * g);        // [N, G*G]
            // 1 - max(cos) is exactly the reference's min(1 - cos): x -> 1 - x is monotone in float.
            NDArray distance = maxCos.neg().add(1f).reshape(n, 1, g, g);
            NDArray map = BilinearUpsampler.upsample(distance, imageSize).reshape(n, imageSize, imageSize);
            map.attach(parent);
            return map;
        }
    }

    private NDArray maxSimilarity(NDArray unit, NDArray unitBank, long queryRows) {
        long m = unitBank.getShape().get(0);
        long chunk = Math.max(1, Math.min(m, maxChunkElements / Math.max(1, queryRows)));
        NDArray best = null;
        for (long start = 0; start < m; start += chunk) {
            long end = Math.min(m, start + chunk);
            NDArray rows = chunk == m ? unitBank : unitBank.get(new NDIndex("{}:{}", start, end));
            NDArray sim = unit.matMul(rows.transpose());                     // [N, G*G, rows]
            NDArray partial = sim.max(new int[] {2});
            sim.close();
            if (rows != unitBank) {
                rows.close();
            }
            if (best == null) {
                best = partial;
            } else {
                NDArray next = best.maximum(partial);
                best.close();
                partial.close();
                best = next;
            }
        }
        return best;
    }

    /**
     * Both maps and the det score for a batch.
     *
     * @param segLevels seg tokens per level, each {@code [N, 1+G*G, C]}
     * @param detLevels det tokens per level, each {@code [N, 1+G*G, C]}
     * @param bank the memory bank, with at least as many levels
     */
    public FewShotOutput forward(List<NDArray> segLevels, List<NDArray> detLevels, MemoryBank bank) {
        return forward(segLevels, detLevels, bank, TokenBranch.SEG, TokenBranch.DET);
    }

    /**
     * As {@link #forward(List, List, MemoryBank)}, with the bank rows of {@code mapBank} for the map's tokens and
     * of {@code scoreBank} for the score's (the ablation scores one branch's tokens against its own bank).
     */
    public FewShotOutput forward(List<NDArray> segLevels, List<NDArray> detLevels, MemoryBank bank, TokenBranch mapBank,
            TokenBranch scoreBank) {
        if (segLevels.isEmpty() || segLevels.size() != detLevels.size()) {
            throw new HeadInputException("few-shot head: need the same non-zero number of seg and det levels, got "
                    + segLevels.size() + " seg and " + detLevels.size() + " det");
        }
        if (segLevels.size() != bank.levels()) {
            throw new HeadInputException("few-shot head: " + segLevels.size() + " token levels but the memory bank has "
                    + bank.levels() + "; build the bank with the same adapter levels");
        }
        NDArray seg = null;
        NDArray det = null;
        try {
            seg = summedMap(segLevels, bank, mapBank);
            det = summedMap(detLevels, bank, scoreBank);
            long n = det.getShape().get(0);
            // mean over both pixel axes in one reduction (the engine reduces one axis at a time).
            NDArray score;
            try (NDArray flat = det.reshape(n, -1)) {
                score = flat.mean(new int[] {1});
            }
            return new FewShotOutput(seg, det, score);
        } catch (RuntimeException e) {
            if (seg != null) {
                seg.close();
            }
            if (det != null) {
                det.close();
            }
            throw e;
        }
    }

    private NDArray summedMap(List<NDArray> levels, MemoryBank bank, TokenBranch branch) {
        NDArray total = null;
        for (int k = 0; k < levels.size(); k++) {
            NDArray map = levelMap(levels.get(k), bank.unitRows(branch, k));
            if (total == null) {
                total = map;
            } else {
                NDArray next = total.add(map);
                total.close();
                map.close();
                total = next;
            }
        }
        return total;
    }
}
