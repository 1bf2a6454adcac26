package org.mvfaedge.trainer.eval;

import java.util.Arrays;

/**
 * A growable primitive float array with a parallel byte label array: per-pixel scores and mask labels
 * of a whole test set without boxing (230 million pixels take 1.15 GB, not tens).
 */
public final class ScoreBuffer {
    private float[] scores;
    private byte[] labels;
    private int size;

    public ScoreBuffer(int initialCapacity) {
        scores = new float[Math.max(16, initialCapacity)];
        labels = new byte[scores.length];
    }

    /** Appends one image's map and its mask (mask values > 0.5 count as anomalous). */
    public void add(float[] map, float[] mask) {
        if (map.length != mask.length) {
            throw new IllegalArgumentException("map has " + map.length + " pixels, mask " + mask.length);
        }
        ensure(size + map.length);
        System.arraycopy(map, 0, scores, size, map.length);
        for (int i = 0; i < mask.length; i++) {
            labels[size + i] = (byte) (mask[i] > 0.5f ? 1 : 0);
        }
        size += map.length;
    }

    private void ensure(long needed) {
        if (needed > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("more than 2^31 pixels in one evaluation: evaluate fewer images at once");
        }
        if (needed > scores.length) {
            int cap = (int) Math.min(Integer.MAX_VALUE - 16L, Math.max(needed, scores.length * 3L / 2));
            scores = Arrays.copyOf(scores, cap);
            labels = Arrays.copyOf(labels, cap);
        }
    }

    public int size() {
        return size;
    }

    /** The backing score array (valid up to {@link #size()}); normalised in place by evaluation. */
    public float[] scores() {
        return scores;
    }

    public byte[] labels() {
        return labels;
    }
}
