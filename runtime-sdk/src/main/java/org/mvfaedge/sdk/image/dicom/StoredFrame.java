package org.mvfaedge.sdk.image.dicom;

/**
 * One frame's stored pixel values, as the data set holds them after decompression: {@code samples}
 * values per pixel, interleaved (planar data is interleaved here), signed values sign-extended from
 * Bits Stored. {@code photometric} is the interpretation of these values, which differs from the data
 * set's where the codec converted colour (a JPEG decoder gives RGB for YBR_FULL_422; JPEG 2000 undoes
 * YBR_RCT / YBR_ICT).
 */
public record StoredFrame(int width, int height, int samples, String photometric, int bitsStored, boolean signed,
        int[] values) {
    /** Value of sample {@code s} of pixel (x, y). */
    public int get(int x, int y, int s) {
        return values[(y * width + x) * samples + s];
    }
}
