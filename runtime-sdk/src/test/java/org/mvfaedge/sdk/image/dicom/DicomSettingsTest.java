package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomSettings;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.ToyPackages;

/** The manifest's dicom section: written into a package, verified by the package check, used by detection. */
class DicomSettingsTest {
    @Test
    void windowTextRoundTrips() {
        for (String s : List.of("file", "minmax", "40,400", "-600,1500", "40.5,399.5")) {
            assertEquals(s, DicomWindow.parse(s).toString());
        }
        assertThrows(IllegalArgumentException.class, () -> DicomWindow.parse("40,0"));
        assertThrows(IllegalArgumentException.class, () -> DicomWindow.parse("lung"));
        assertEquals("1,5-9", FrameSelection.parse("1, 5-9").toString());
        assertThrows(IllegalArgumentException.class, () -> FrameSelection.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> FrameSelection.parse("9-5"));
    }

    @Test
    void sectionSetInThePackageDecidesTheRendering(@TempDir Path tmp) throws Exception {
        Path pkg = tmp.resolve("toy");
        ToyPackages.channelMean(pkg, 32, 0.5);
        assertEquals(DicomSettings.DEFAULT, DicomSettings.read(pkg), "no section: file");
        new DicomSettings(DicomWindow.MINMAX).writeInto(pkg);
        assertTrue(Files.readString(pkg.resolve("manifest.json")).contains("\"dicom\""));
        ModelPackage.open(pkg); // still a valid package
        assertEquals(DicomWindow.MINMAX, DicomSettings.read(pkg).window());
        Path ct = PydicomTruth.TEST_FILES.resolve("MR_small.dcm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(ct), "pydicom's test files are not installed");
        try (AnomalyDetector d = AnomalyDetector.open(pkg,
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            DicomDetector dd = new DicomDetector(d);
            assertEquals("minmax", dd.detect(dd.read(ct), FrameSelection.ALL, null).get(0).window());
            assertEquals("600,1600", dd.detect(dd.read(ct), FrameSelection.ALL, DicomWindow.FILE).get(0).window());
            // the plain path uses the package's window too
            float viaFile = d.detect(ct).score();
            float viaMinmax = dd.detect(dd.read(ct), FrameSelection.ALL, DicomWindow.MINMAX).get(0).detection().score();
            assertEquals(viaMinmax, viaFile, 0f);
        }
    }
}
