package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;

/**
 * What {@link FewShotHead#forward} computes for a batch, before any set-level normalisation:
 * the seg map {@code [N, S, S]} and det map {@code [N, S, S]} (each summed over levels) and the det
 * score {@code [N]}, the mean of the det map. Owns its arrays: close it when done.
 */
public final class FewShotOutput implements AutoCloseable {
    private final NDArray segMap;
    private final NDArray detMap;
    private final NDArray detScore;

    FewShotOutput(NDArray segMap, NDArray detMap, NDArray detScore) {
        this.segMap = segMap;
        this.detMap = detMap;
        this.detScore = detScore;
    }

    /** {@code [N, S, S]}: seg tokens' distance to the seg bank, summed over levels. */
    public NDArray segMap() {
        return segMap;
    }

    /** {@code [N, S, S]}: det tokens' distance to the det bank, summed over levels. */
    public NDArray detMap() {
        return detMap;
    }

    /** {@code [N]}: mean of {@link #detMap()} over the pixels (test_few.py's image score). */
    public NDArray detScore() {
        return detScore;
    }

    @Override
    public void close() {
        segMap.close();
        detMap.close();
        detScore.close();
    }
}
