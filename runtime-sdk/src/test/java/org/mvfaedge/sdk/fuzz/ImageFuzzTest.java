package org.mvfaedge.sdk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * Image decoding (PNG 8/16-bit, JPEG, BMP, TIFF; the format from the bytes) of outside bytes: only
 * {@link ImageDecodeException} may escape, and a decoded image never exceeds the pixel limit. Seeds in
 * {@code ImageFuzzTestInputs/decode}: one small file of each format and the findings. {@code mvn test} runs
 * the seeds; the {@code fuzz-*} executions of {@code mvn verify} fuzz (see the README's Fuzzing section).
 */
class ImageFuzzTest {
    /** Small, so that each execution is fast and a decoding that ignores the limit shows at once. */
    static final long MAX_PIXELS = 1_000_000;
    private static final ImageDecoder DECODER = new ImageDecoder(MAX_PIXELS);

    @FuzzTest
    void decode(byte[] data) {
        try {
            RgbImage img = DECODER.decode(data);
            if ((long) img.width() * img.height() > MAX_PIXELS || img.width() <= 0 || img.height() <= 0) {
                throw new AssertionError("decoded " + img.width() + " x " + img.height() + " past the limit " + MAX_PIXELS);
            }
        } catch (ImageDecodeException expected) {
            // the typed refusal a caller handles
        }
    }
}
