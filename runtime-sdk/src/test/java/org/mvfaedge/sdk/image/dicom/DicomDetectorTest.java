package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.image.dicom.DicomWindow;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * DICOM through the real detector (ONNX Runtime on a package whose map is the input's brightness, see
 * {@link ToyPackages}): a pydicom-written 3-frame 16-bit MR with a bright rectangle moving by 10 pixels
 * per frame gives one result per frame, each with its region where pydicom put the rectangle, the
 * file's UIDs, and areas in mm² from its 0.5 mm spacing.
 */
class DicomDetectorTest {
    @TempDir
    static Path tmp;
    static AnomalyDetector detector;
    static Path multi;

    @BeforeAll
    static void open() throws Exception {
        PydicomTruth.require();
        ToyPackages.channelMean(tmp.resolve("toy"), 32, 0.5);
        detector = AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).maxBatch(2).build());
        Path script = tmp.resolve("make_multiframe.py");
        try (InputStream in = DicomDetectorTest.class.getResourceAsStream("/dicom/make_multiframe.py")) {
            Files.copy(in, script);
        }
        multi = tmp.resolve("multi.dcm");
        SecondaryCaptureTest.run(tmp, PydicomTruth.PYTHON.toString(), "-I", script.toString(), multi.toString(), "3");
        assertTrue(Files.size(multi) > 3 * 64 * 64 * 2, "pydicom wrote the file");
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void everyFrameGivesOneResultWithItsIdentityAndRegion() {
        DicomDetector dd = new DicomDetector(detector);
        List<DicomResult> rs = dd.detect(dd.read(multi), FrameSelection.ALL, null);
        assertEquals(3, rs.size());
        for (int f = 1; f <= 3; f++) {
            DicomResult r = rs.get(f - 1);
            assertEquals(f, r.info().frame());
            assertEquals("1.2.826.0.1.3680043.8.498.1", r.info().sopInstanceUid());
            assertEquals("1.2.826.0.1.3680043.8.498.3", r.info().seriesInstanceUid());
            assertEquals("1.2.826.0.1.3680043.8.498.2", r.info().studyInstanceUid());
            assertArrayEquals(new double[] {0.5, 0.5}, r.info().pixelSpacing());
            assertEquals("1000,4000", r.window());
            Detection d = r.detection();
            assertTrue(d.anomalous());
            assertEquals(1, d.regions().size(), d.regions().toString());
            Region g = d.regions().get(0);
            // the rectangle 20 x 20 at x = 10 + 10 (f - 1), y = 20, within the resampling's edge blur
            assertEquals(10 + 10 * (f - 1), g.x(), 3);
            assertEquals(20, g.y(), 3);
            assertEquals(20, g.width(), 4);
            assertEquals(g.area() * 0.25, r.areaMm2(g), 1e-9);
        }
    }

    @Test
    void framesAndWindowCanBeChosenPerCall() {
        DicomDetector dd = new DicomDetector(detector);
        DicomImage img = dd.read(multi);
        List<DicomResult> rs = dd.detect(img, FrameSelection.parse("2-3"), null);
        assertEquals(List.of(2, 3), rs.stream().map(r -> r.info().frame()).toList());
        // A window centred far above the rectangle (3000) renders everything black: nothing found.
        List<DicomResult> dark = dd.detect(img, FrameSelection.parse("1"), DicomWindow.fixed(20000, 100));
        assertFalse(dark.get(0).detection().anomalous());
        assertEquals("20000,100", dark.get(0).window());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dd.detect(img, FrameSelection.parse("1,4"), null));
        assertTrue(e.getMessage().contains("frame 4 was asked for but the image has 3 frame(s)"), e.getMessage());
    }

    @Test
    void aDicomIsOneMoreImageInput() throws Exception {
        // single frame: the plain file path renders it with the package's window (file), as DicomDetector does
        Path ct = PydicomTruth.TEST_FILES.resolve("MR_small.dcm");
        Detection viaFile = detector.detect(ct);
        Detection viaBytes = detector.detect(Files.readAllBytes(ct));
        DicomDetector dd = new DicomDetector(detector);
        Detection viaDicom = dd.detect(dd.read(ct), FrameSelection.ALL, null).get(0).detection();
        assertEquals(viaDicom.score(), viaFile.score(), 0f);
        assertEquals(viaDicom.score(), viaBytes.score(), 0f);
        assertEquals(64, viaFile.width());
        // multi-frame through the single-image path: refused, not silently cut to one frame
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> detector.detect(multi));
        assertTrue(e.getMessage().contains("has 3 frames"), e.getMessage());
        Detection f2 = detector.detectAll(List.of(new ImageInput.Dicom(dd.read(multi), 2, null))).get(0);
        assertEquals(20, f2.regions().get(0).x(), 3);
    }

    @Test
    void secondaryCaptureOfAResultIsValid() throws Exception {
        DicomDetector dd = new DicomDetector(detector);
        DicomResult r = dd.detect(dd.read(multi), FrameSelection.parse("3"), null).get(0);
        Path sc = tmp.resolve("sc.dcm");
        Files.write(sc, r.secondaryCapture(SecondaryCapture.newUid(), "toy"));
        SecondaryCaptureTest.assertValid(sc);
        DicomImage back = DicomImage.read(sc, 64_000_000L);
        assertEquals("1.2.826.0.1.3680043.8.498.2", back.info(1).studyInstanceUid());
        assertEquals(64, back.width());
        assertEquals(3, back.samplesPerPixel());
    }
}
