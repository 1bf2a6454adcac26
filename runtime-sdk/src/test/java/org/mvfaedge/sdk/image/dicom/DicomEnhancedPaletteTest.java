package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What pydicom's test files lack, written by pydicom with numpy truths (make_special.py): an enhanced
 * multi-frame whose per-frame functional groups give each frame its own pixel spacing, window and
 * rescale (the shared group's spacing must lose), and a PALETTE COLOR image against pydicom's
 * apply_color_lut.
 */
class DicomEnhancedPaletteTest {
    private static Path make(Path tmp) throws Exception {
        PydicomTruth.require();
        Path script = tmp.resolve("make_special.py");
        try (InputStream in = DicomEnhancedPaletteTest.class.getResourceAsStream("/dicom/make_special.py")) {
            Files.copy(in, script);
        }
        String log = SecondaryCaptureTest.run(tmp, PydicomTruth.PYTHON.toString(), "-I", script.toString(), tmp.toString());
        org.junit.jupiter.api.Assertions.assertTrue(Files.exists(tmp.resolve("palette.rgb")), log);
        return tmp;
    }

    @Test
    void perFrameFunctionalGroupsGiveEachFrameItsSpacingWindowAndRescale(@TempDir Path tmp) throws Exception {
        make(tmp);
        DicomImage img = DicomImage.read(tmp.resolve("enhanced.dcm"), 1_000_000);
        assertEquals(2, img.frameCount());
        assertArrayEquals(new double[] {0.5, 0.5}, img.info(1).pixelSpacing());
        assertArrayEquals(new double[] {0.25, 0.25}, img.info(2).pixelSpacing());
        assertEquals(2.0, img.frameAttributes(1).rescaleSlope());
        assertEquals(-50.0, img.frameAttributes(1).rescaleIntercept());
        for (int f = 1; f <= 2; f++) {
            byte[] want = Files.readAllBytes(tmp.resolve("enhanced.f" + f + ".render"));
            DicomRendering.Rendered r = DicomRendering.render(img, f, DicomWindow.FILE);
            int max = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs((want[i] & 0xff) - (r.samples()[i] & 0xff)));
            }
            assertEquals(0, max, "frame " + f + " (window " + r.window() + ")");
        }
        assertEquals("100,200", DicomRendering.render(img, 1, DicomWindow.FILE).window());
        assertEquals("0,50", DicomRendering.render(img, 2, DicomWindow.FILE).window());
    }

    @Test
    void paletteColourMatchesPydicomsLookup(@TempDir Path tmp) throws Exception {
        make(tmp);
        DicomImage img = DicomImage.read(tmp.resolve("palette.dcm"), 1_000_000);
        DicomRendering.Rendered r = DicomRendering.render(img, 1, DicomWindow.FILE);
        assertEquals(3, r.channels());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("palette.rgb")), r.samples());
    }
}
