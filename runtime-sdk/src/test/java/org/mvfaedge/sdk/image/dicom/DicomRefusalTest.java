package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/** Each damaged input refused with its reason, one line that says what is wrong, and fast. */
class DicomRefusalTest {
    private static ImageDecodeException refuse(byte[] data) {
        long t0 = System.nanoTime();
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> {
            DicomImage img = DicomImage.read(data, 64_000_000L);
            for (int f = 1; f <= img.frameCount(); f++) {
                img.stored(f);
            }
        });
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(ms < 500, "refusal took " + ms + " ms");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void truncatedFileIsCorrupt() throws Exception {
        PydicomTruth.require();
        ImageDecodeException e = refuse(BadDicom.truncated());
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("(7FE0,0010) claims 32768 bytes but only 22906 remain"), e.getMessage());
    }

    @Test
    void noPixelDataIsNamed() throws Exception {
        PydicomTruth.require();
        ImageDecodeException e = refuse(BadDicom.noPixelData());
        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("has no Pixel Data (7FE0,0010)"), e.getMessage());
    }

    @Test
    void headerOverThePixelLimitIsRefusedBeforeDecoding() throws Exception {
        PydicomTruth.require();
        ImageDecodeException e = refuse(BadDicom.hugeHeader());
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("65535 x 65535 = 4294836225 pixels per frame, over the limit of 64000000"),
                e.getMessage());
    }

    @Test
    void corruptFragmentIsCorrupt() throws Exception {
        PydicomTruth.require();
        ImageDecodeException e = refuse(BadDicom.corruptFragment());
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("RLE header declares 9 segments where the pixel description needs 2"),
                e.getMessage());
    }

    @Test
    void notDicomIsNotTakenForIt() {
        assertFalse(DicomImage.isDicom(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13}));
        assertFalse(DicomImage.isDicom(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F'}));
    }
}
