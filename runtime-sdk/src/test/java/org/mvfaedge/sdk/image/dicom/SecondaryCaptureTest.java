package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Secondary Capture against two independent readers: dicom3tools' {@code dciodvfy} (the IOD
 * validator: no line with "Error") and pydicom (study UID, series, comments and pixels read back).
 */
class SecondaryCaptureTest {
    static final Path DCIODVFY = Path.of("/usr/bin/dciodvfy");

    static String run(Path dir, String... cmd) throws Exception {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        return Files.readString(log);
    }

    /** dciodvfy's verdict: its output with no "Error" line, else the failure names the lines. */
    static void assertValid(Path file) throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(Files.isExecutable(DCIODVFY), "CI: dicom3tools is not installed (.ci/run installs it)");
        }
        assumeTrue(Files.isExecutable(DCIODVFY), "dicom3tools (dciodvfy) is not installed");
        String out = run(file.getParent(), DCIODVFY.toString(), file.toString());
        assertTrue(out.contains("SC") || out.contains("Secondary"), "dciodvfy did not recognise the IOD: " + out);
        List<String> errors = out.lines().filter(l -> l.contains("Error")).toList();
        assertTrue(errors.isEmpty(), "dciodvfy errors:\n" + String.join("\n", errors) + "\nfull output:\n" + out);
    }

    @Test
    void captureIsValidAndReadBackByPydicom(@TempDir Path tmp) throws Exception {
        PydicomTruth.require();
        for (String name : List.of("CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm")) {
            DicomImage src = DicomImage.read(PydicomTruth.TEST_FILES.resolve(name), 64_000_000L);
            DicomRendering.Rendered r = DicomRendering.render(src, 1, DicomWindow.FILE);
            byte[] rgb = r.toRgbImage().toByteArray();
            rgb[0] = (byte) 255; // a red-ish first pixel: colour must survive
            rgb[1] = 0;
            String series = SecondaryCapture.newUid();
            byte[] sc = SecondaryCapture.write(src, rgb, r.width(), r.height(), series, 1,
                    "MVFA anomaly ANOMALOUS score 0.8123", "MVFA-Edge model brain: score 0.8123, threshold 0.5, anomalous");
            Path f = tmp.resolve(name + ".sc.dcm");
            Files.write(f, sc);
            assertValid(f);

            Path script = tmp.resolve("readback.py");
            Files.writeString(script, String.join("\n",
                    "import sys, pydicom",
                    "ds = pydicom.dcmread(sys.argv[1])",
                    "a = ds.pixel_array",
                    "print(ds.StudyInstanceUID)",
                    "print(ds.SeriesInstanceUID)",
                    "print(ds.SeriesDescription)",
                    "print(ds.ImageComments)",
                    "print(ds.Modality, ds.SOPClassUID, a.shape, a[0, 0, 0], a[0, 0, 1], int(a.sum()))",
                    "print('PatientName' in ds, 'SliceThickness' in ds)", ""));
            String out = run(tmp, PydicomTruth.PYTHON.toString(), "-I", script.toString(), f.toString());
            List<String> lines = out.lines().toList();
            assertEquals(src.info(1).studyInstanceUid(), lines.get(0), out);
            assertEquals(series, lines.get(1));
            assertNotEquals(src.info(1).seriesInstanceUid(), lines.get(1));
            assertEquals("MVFA anomaly ANOMALOUS score 0.8123", lines.get(2));
            assertEquals("MVFA-Edge model brain: score 0.8123, threshold 0.5, anomalous", lines.get(3));
            long sum = 0;
            for (byte b : rgb) {
                sum += b & 0xff;
            }
            assertEquals("OT " + SecondaryCapture.SOP_CLASS + " (" + r.height() + ", " + r.width() + ", 3) 255 0 " + sum,
                    lines.get(4));
            // patient attributes copied, the source's acquisition attributes (slice thickness) not
            assertEquals("True False", lines.get(5));

            DicomImage back = DicomImage.read(f, 64_000_000L);
            assertArrayEquals(rgb, DicomRendering.render(back, 1, DicomWindow.FILE).samples());
        }
    }
}
