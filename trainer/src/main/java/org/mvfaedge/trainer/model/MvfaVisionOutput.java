package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A typed view of {@link MvfaVisionModel}'s output list: {@code [pooled, seg_0..seg_{L-1},
 * det_0..det_{L-1}]}. It does not own the arrays.
 */
public record MvfaVisionOutput(NDList list, int levels) {
    public MvfaVisionOutput {
        if (list.size() != 1 + 2 * levels) {
            throw new IllegalArgumentException("an MVFA output with " + levels + " levels has " + (1 + 2 * levels)
                    + " arrays, got " + list.size());
        }
    }

    /** {@code ln_post(CLS) @ proj}, {@code [N, embed]}. */
    public NDArray pooled() {
        return list.get(0);
    }

    /** Level {@code j}'s seg adapter bottleneck output, {@code [N, T, bottleneck]}, CLS first. */
    public NDArray segTokens(int level) {
        return list.get(1 + checkLevel(level));
    }

    /** Level {@code j}'s det adapter bottleneck output, {@code [N, T, bottleneck]}, CLS first. */
    public NDArray detTokens(int level) {
        return list.get(1 + levels + checkLevel(level));
    }

    /** Every level's seg tokens, level 0 first. */
    public java.util.List<NDArray> segTokens() {
        return list.subList(1, 1 + levels);
    }

    /** Every level's det tokens, level 0 first. */
    public java.util.List<NDArray> detTokens() {
        return list.subList(1 + levels, 1 + 2 * levels);
    }

    private int checkLevel(int level) {
        if (level < 0 || level >= levels) {
            throw new IndexOutOfBoundsException("level " + level + " of " + levels);
        }
        return level;
    }
}
