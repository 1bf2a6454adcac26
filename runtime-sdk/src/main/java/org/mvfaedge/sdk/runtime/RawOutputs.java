package org.mvfaedge.sdk.runtime;

/**
 * The raw per-image outputs of an MVFA model for a batch of {@code n} images of side {@code size},
 * before any normalisation or calibration. Arrays are row-major; absent outputs are {@code null}.
 *
 * @param n images in the batch
 * @param size side S of the maps
 * @param zeroMap [n,S,S] zero-shot abnormal probability from seg tokens, summed over levels
 * @param zeroScore [n] zero-shot image score from det tokens, summed over levels
 * @param fewMap [n,S,S] few-shot map (1 - max cosine to the seg bank), summed over levels, or null
 * @param fewScore [n] mean of the few-shot det map, or null
 */
public record RawOutputs(int n, int size, float[] zeroMap, float[] zeroScore, float[] fewMap, float[] fewScore) {

    /** Image {@code i}'s slice of a [n,S,S] map (a copy). */
    public float[] map(float[] maps, int i) {
        int p = size * size;
        float[] out = new float[p];
        System.arraycopy(maps, i * p, out, 0, p);
        return out;
    }
}
