package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's 16-bit MR writer: pydicom reads back the stored values, rescale and window; rendered with
 * the file's window the stored 16 v + 1024 (intercept -1024, window 2040.5/4081) gives v exactly.
 */
class GreyImageWriterTest {
    @Test
    void pydicomReadsItAndTheWindowRendersTheGreyBack(@TempDir Path tmp) throws Exception {
        PydicomTruth.require();
        int w = 7;
        int h = 5;
        short[] stored = new short[w * h];
        int[] grey = new int[w * h];
        for (int i = 0; i < stored.length; i++) {
            grey[i] = (i * 37) % 256;
            stored[i] = (short) (16 * grey[i] + 1024);
        }
        Path f = tmp.resolve("mr.dcm");
        Files.write(f, GreyImageWriter.mr16(stored, w, h, 1, -1024, 2040.5, 4081, 0.8, "P1", "1.2.3", "1.2.3.4",
                "1.2.3.4.5", 1));
        Path script = tmp.resolve("read.py");
        Files.writeString(script, "import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\na = ds.pixel_array\n"
                + "print(ds.Modality, ds.BitsAllocated, float(ds.RescaleIntercept), float(ds.WindowCenter),"
                + " float(ds.WindowWidth), [float(x) for x in ds.PixelSpacing], int(a[0, 1]), int(a.sum()))\n");
        long sum = 0;
        for (short s : stored) {
            sum += s & 0xffff;
        }
        assertEquals("MR 16 -1024.0 2040.5 4081.0 [0.8, 0.8] " + (stored[1] & 0xffff) + " " + sum,
                SecondaryCaptureTest.run(tmp, PydicomTruth.PYTHON.toString(), "-I", script.toString(), f.toString()).strip());
        DicomRendering.Rendered r = DicomRendering.render(DicomImage.read(f, 1000), 1, DicomWindow.FILE);
        for (int i = 0; i < grey.length; i++) {
            assertEquals(grey[i], r.samples()[i] & 0xff, "pixel " + i);
        }
        assertEquals("2040.5,4081", r.window());
    }
}
