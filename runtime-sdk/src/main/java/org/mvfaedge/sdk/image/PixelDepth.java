package org.mvfaedge.sdk.image;

/** Conversions of sample values of other bit depths to 8 bits, shared by the decoder and raw input. */
final class PixelDepth {
    private PixelDepth() {
    }

    /**
     * 16-bit sample to 8 bits as {@code round(v * 255 / 65535)}.
     *
     * <p>Deliberate divergence from the reference: PIL's {@code convert('RGB')} / {@code convert('L')}
     * of a 16-bit image clips every value above 255 to 255, which turns a real 16-bit scan (values up
     * to 65535) almost entirely white. We rescale the full range instead. No MVFA data set uses 16-bit
     * files, so parity with the published numbers is unaffected.
     */
    static int from16(int v) {
        return (v * 255 + 32767) / 65535;
    }

    /** A sample of {@code bits} bits (1..16) to 8 bits, rounding; 8 bits are returned unchanged. */
    static int fromBits(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits == 16) {
            return from16(v);
        }
        int max = (1 << bits) - 1;
        // Same as PIL's unpackers for 1, 2 and 4-bit grey (v * 255, 85, 17): exact for those depths.
        return (int) ((v * 255L + max / 2) / max);
    }

    /** Luma of an RGB pixel as PIL's {@code convert('L')} computes it (ITU-R 601-2, 16-bit fixed point). */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
}
