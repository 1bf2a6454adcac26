package org.mvfaedge.sdk.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bilinear map resampling against hand-computed values and invariants. */
class MapResamplerTest {
    @Test
    void sameSizeIsTheIdentity() {
        float[] src = {1, 2, 3, 4, 5, 6};
        float[] out = new float[6];
        MapResampler.resize(src, 3, 2, out, 3, 2);
        assertArrayEquals(src, out);
    }

    @Test
    void aConstantMapStaysConstant() {
        float[] src = new float[25];
        java.util.Arrays.fill(src, 0.37f);
        float[] out = new float[13 * 7];
        MapResampler.resize(src, 5, 5, out, 13, 7);
        for (float v : out) {
            assertEquals(0.37f, v, 1e-7f);
        }
    }

    /**
     * 2 -> 4 along x with pixel centres aligned: output centres 0.5, 1.5, 2.5, 3.5 map to source
     * -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel): 0, 0.25, 0.75, 1 of the step.
     */
    @Test
    void upsamplingByTwoMatchesHandComputedWeights() {
        float[] src = {0, 8};
        float[] out = new float[4];
        MapResampler.resize(src, 2, 1, out, 4, 1);
        assertArrayEquals(new float[] {0, 2, 6, 8}, out, 1e-6f);
        float[] col = new float[4];
        MapResampler.resize(src, 1, 2, col, 1, 4);
        assertArrayEquals(new float[] {0, 2, 6, 8}, col, 1e-6f);
    }

    /** A bilinear map of a bilinear function is exact away from the clamped border. */
    @Test
    void linearRampsAreReproducedInside() {
        int n = 8;
        float[] src = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                src[y * n + x] = 2 * x + 3 * y;
            }
        }
        int m = 32;
        float[] out = new float[m * m];
        MapResampler.resize(src, n, n, out, m, m);
        for (int y = 2; y < m - 2; y++) {
            for (int x = 2; x < m - 2; x++) {
                double sx = (x + 0.5) * n / m - 0.5;
                double sy = (y + 0.5) * n / m - 0.5;
                assertEquals(2 * sx + 3 * sy, out[y * m + x], 1e-4, "at " + x + "," + y);
            }
        }
    }
}
