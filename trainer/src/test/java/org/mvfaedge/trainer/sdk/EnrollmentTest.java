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
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * Enrollment without the trainer: the fixture's memory bank is its support images' tokens (11 views
 * each, CLS included). A package whose bank holds the first support image only, enrolled with the
 * others, must reproduce the reference's few-shot maps; so must a package whose bank holds another
 * image (img1), rebuilt from all the support images.
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
            for (int i = 0; i < fx.config().images(); i++) {
                Detection r = d.detect(fx.image("img" + i));
                String dir = "forward/img" + i + "/";
                Fixtures.assertClose(what + " img" + i + " few_map", r.rawFewMap(),
                        fx.config().map(dir + "few_seg_map.npy"), 1e-4);
                Fixtures.assertClose(what + " img" + i + " few_score", new float[] {r.rawFewScore()},
                        Npy.read(fx.fixture().resolve(dir + "few_det_score.npy")).floats(), 1e-4);
            }
        }
    }

    @Test
    void appendingTheOtherSupportImagesToAFirstShotBankReproducesTheReferenceFewShotMaps() throws Exception {
        FixtureConfig cfg = fx.config();
        List<String> shots = cfg.supportImages();
        Path start = fx.export(tmp.resolve("first-shot-only"), shots.subList(0, 1), false);
        String startHash = Sha256.of(start.resolve("model.onnx"));
        assertEquals(cfg.memoryBankRows(1), ModelPackage.open(start).manifest().mode().memoryBankRows(),
                "1 shot x 11 views x " + cfg.tokens() + " tokens");
        Path out = tmp.resolve("enrolled-append");
        ModelPackage p;
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            List<ImageInput> more = shots.subList(1, shots.size()).stream().map(s -> ImageInput.of(fx.image(s))).toList();
            p = d.enroll(more, out);
        }
        ManifestSchema.assertValid(out);
        Manifest.Mode mode = p.manifest().mode();
        assertEquals(cfg.memoryBankRows(), mode.memoryBankRows(),
                cfg.shots() + " shots x 11 views x " + cfg.tokens() + " tokens");
        assertEquals(cfg.shots(), mode.shot());
        assertEquals(shots.get(0) + ".png", mode.supportImages().get(0));
        for (int k = 1; k < shots.size(); k++) {
            String recorded = mode.supportImages().get(k);
            assertTrue(recorded.startsWith("enrolled:sha256:"), mode.supportImages().toString());
            assertFalse(recorded.contains(shots.get(k)), "no file names of enrolled images");
        }
        assertEquals(Sha256.of(out.resolve("model.onnx")), p.manifest().model().sha256());
        assertEquals(startHash, Sha256.of(start.resolve("model.onnx")), "the source package is unchanged");
        assertFixtureFewMaps(out, "enrolled (append)");
    }

    @Test
    void rebuildingAnotherImagesBankFromTheSupportImagesReproducesTheReferenceFewShotMaps() throws Exception {
        FixtureConfig cfg = fx.config();
        Path start = fx.export(tmp.resolve("img1-bank"), List.of("img1"), false);
        Path out = tmp.resolve("enrolled-replace");
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            // The first shot as a file, the others as bytes: both inputs of the enrollment builder.
            Enrollment builder = Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE)
                    .addNormal(ImageInput.of(fx.image(cfg.supportImages().get(0))));
            for (String s : cfg.supportImages().subList(1, cfg.shots())) {
                builder = builder.addNormal(ImageInput.of(Files.readAllBytes(fx.image(s))));
            }
            ModelPackage p = builder.write(out);
            ManifestSchema.assertValid(out);
            assertEquals(cfg.memoryBankRows(), p.manifest().mode().memoryBankRows());
            assertEquals(cfg.shots(), p.manifest().mode().supportImages().size(), "img1 is no longer in the bank");
        }
        assertFixtureFewMaps(out, "enrolled (replace)");
    }

    @Test
    void recalibrationOnLabelledImagesFitsTheNewBanksStatistics() throws Exception {
        List<String> shots = fx.config().supportImages();
        Path start = fx.export(tmp.resolve("first-shot-cal"), shots.subList(0, 1), false);
        Path out = tmp.resolve("enrolled-cal");
        List<LabeledImage> labelled = List.of(new LabeledImage(ImageInput.of(fx.image("img0")), true),
                new LabeledImage(ImageInput.of(fx.image("img1")), false),
                new LabeledImage(ImageInput.of(fx.image("img2")), true));
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            d.enroll(shots.subList(1, shots.size()).stream().map(s -> ImageInput.of(fx.image(s))).toList(), labelled, out);
        }
        Manifest.Calibration c = ModelPackage.open(ManifestSchema.assertValid(out)).manifest().calibration();
        assertEquals(Enrollment.CALIBRATION_SOURCE, c.source());
        assertEquals(labelled.size(), c.images());
        assertEquals("best-f1", c.thresholdRule());
        // Independent check: the statistics are the extremes of the new package's raw outputs on those images.
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        try (AnomalyDetector d = AnomalyDetector.open(out, CPU)) {
            for (int i = 0; i < labelled.size(); i++) {
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
        List<String> shots = fx.config().supportImages();
        String first = shots.get(0);
        String other = shots.get(shots.size() - 1);
        Path zero = fx.export(tmp.resolve("zero"), null, false);
        try (AnomalyDetector d = AnomalyDetector.open(zero, CPU)) {
            ModelPackageException e = assertThrows(ModelPackageException.class,
                    () -> d.enroll(List.of(ImageInput.of(fx.image(other))), tmp.resolve("never")));
            assertTrue(e.getMessage().contains("zero-shot package"), e.getMessage());
        }
        Path few = fx.export(tmp.resolve("few-for-refusals"), List.of(first), false);
        Path out = tmp.resolve("never-written");
        try (AnomalyDetector d = AnomalyDetector.open(few, CPU)) {
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> d.enroll(
                    List.of(ImageInput.of(fx.image(other)), ImageInput.of(new byte[0])), out));
            assertTrue(e.getMessage().contains("normal image 2 of 2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.enroll(List.of(), out));
            IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> d.enroll(
                    List.of(ImageInput.of(fx.image(other))),
                    List.of(new LabeledImage(ImageInput.of(fx.image("img1")), false)), out));
            assertTrue(one.getMessage().contains("normal and anomalous"), one.getMessage());
        }
        assertFalse(Files.exists(out), "a failed enrollment leaves nothing behind");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".enroll-")), "no temporary folders left");
        }
    }
}
