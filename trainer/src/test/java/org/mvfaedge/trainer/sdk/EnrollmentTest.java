package org.mvfaedge.trainer.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.mvfaedge.sdk.Enrollment;
import org.mvfaedge.sdk.Enrollment.LabeledImage;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/**
 * Enrollment without the trainer: the fixture's memory bank is support0's and support1's tokens
 * (11 views each, CLS included). A package whose bank holds support0 only, enrolled with support1,
 * must reproduce the reference's few-shot maps; so must a package whose bank holds another image
 * (img1), rebuilt from support0 and support1.
 */
class EnrollmentTest {
    static final DetectorOptions CPU = DetectorOptions.builder().providers(ExecutionProvider.CPU).build();
    @TempDir
    static Path tmp;
    static FixturePackages fx;

    @BeforeAll
    static void load() {
        fx = new FixturePackages();
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    private static void assertFixtureFewMaps(Path pkg, String what) throws Exception {
        try (AnomalyDetector d = AnomalyDetector.open(pkg, CPU)) {
            for (int i = 0; i < 3; i++) {
                Detection r = d.detect(fx.image("img" + i));
                String dir = "forward/img" + i + "/";
                Fixtures.assertClose(what + " img" + i + " few_map", r.rawFewMap(),
                        Npy.read(fx.fixture().resolve(dir + "few_seg_map.npy")).floats(), 1e-4);
                Fixtures.assertClose(what + " img" + i + " few_score", new float[] {r.rawFewScore()},
                        Npy.read(fx.fixture().resolve(dir + "few_det_score.npy")).floats(), 1e-4);
            }
        }
    }

    @Test
    void appendingSupport1ToASupport0BankReproducesTheReferenceFewShotMaps() throws Exception {
        Path start = fx.export(tmp.resolve("support0-only"), List.of("support0"), false);
        String startHash = Sha256.of(start.resolve("model.onnx"));
        assertEquals(286, ModelPackage.open(start).manifest().mode().memoryBankRows());
        Path out = tmp.resolve("enrolled-append");
        ModelPackage p;
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            p = d.enroll(List.of(ImageInput.of(fx.image("support1"))), out);
        }
        Manifest.Mode mode = p.manifest().mode();
        assertEquals(572, mode.memoryBankRows(), "2 shots x 11 views x 26 tokens");
        assertEquals(2, mode.shot());
        assertEquals("support0.png", mode.supportImages().get(0));
        assertTrue(mode.supportImages().get(1).startsWith("enrolled:sha256:"), mode.supportImages().toString());
        assertFalse(mode.supportImages().get(1).contains("support1"), "no file names of enrolled images");
        assertEquals(Sha256.of(out.resolve("model.onnx")), p.manifest().model().sha256());
        assertEquals(startHash, Sha256.of(start.resolve("model.onnx")), "the source package is unchanged");
        assertFixtureFewMaps(out, "enrolled (append)");
    }

    @Test
    void rebuildingAnotherImagesBankFromSupport0AndSupport1ReproducesTheReferenceFewShotMaps() throws Exception {
        Path start = fx.export(tmp.resolve("img1-bank"), List.of("img1"), false);
        Path out = tmp.resolve("enrolled-replace");
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            ModelPackage p = Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE)
                    .addNormal(ImageInput.of(fx.image("support0")))
                    .addNormal(ImageInput.of(Files.readAllBytes(fx.image("support1")))).write(out);
            assertEquals(572, p.manifest().mode().memoryBankRows());
            assertEquals(2, p.manifest().mode().supportImages().size(), "img1 is no longer in the bank");
        }
        assertFixtureFewMaps(out, "enrolled (replace)");
    }

    @Test
    void recalibrationOnLabelledImagesFitsTheNewBanksStatistics() throws Exception {
        Path start = fx.export(tmp.resolve("support0-cal"), List.of("support0"), false);
        Path out = tmp.resolve("enrolled-cal");
        List<LabeledImage> labelled = List.of(new LabeledImage(ImageInput.of(fx.image("img0")), true),
                new LabeledImage(ImageInput.of(fx.image("img1")), false),
                new LabeledImage(ImageInput.of(fx.image("img2")), true));
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            d.enroll(List.of(ImageInput.of(fx.image("support1"))), labelled, out);
        }
        Manifest.Calibration c = ModelPackage.open(out).manifest().calibration();
        assertEquals(Enrollment.CALIBRATION_SOURCE, c.source());
        assertEquals(3, c.images());
        assertEquals("best-f1", c.thresholdRule());
        // Independent check: the statistics are the extremes of the new package's raw outputs on those images.
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        try (AnomalyDetector d = AnomalyDetector.open(out, CPU)) {
            for (int i = 0; i < 3; i++) {
                for (float v : d.detect(fx.image("img" + i)).rawFewMap()) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        assertEquals(min, c.statistics().get("few_map").min(), 1e-6);
        assertEquals(max, c.statistics().get("few_map").max(), 1e-6);
    }

    @Test
    void refusals() throws Exception {
        Path zero = fx.export(tmp.resolve("zero"), null, false);
        try (AnomalyDetector d = AnomalyDetector.open(zero, CPU)) {
            ModelPackageException e = assertThrows(ModelPackageException.class,
                    () -> d.enroll(List.of(ImageInput.of(fx.image("support1"))), tmp.resolve("never")));
            assertTrue(e.getMessage().contains("zero-shot package"), e.getMessage());
        }
        Path few = fx.export(tmp.resolve("few-for-refusals"), List.of("support0"), false);
        Path out = tmp.resolve("never-written");
        try (AnomalyDetector d = AnomalyDetector.open(few, CPU)) {
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> d.enroll(
                    List.of(ImageInput.of(fx.image("support1")), ImageInput.of(new byte[0])), out));
            assertTrue(e.getMessage().contains("normal image 2 of 2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.enroll(List.of(), out));
            IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> d.enroll(
                    List.of(ImageInput.of(fx.image("support1"))),
                    List.of(new LabeledImage(ImageInput.of(fx.image("img1")), false)), out));
            assertTrue(one.getMessage().contains("normal and anomalous"), one.getMessage());
        }
        assertFalse(Files.exists(out), "a failed enrollment leaves nothing behind");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".enroll-")), "no temporary folders left");
        }
    }
}
