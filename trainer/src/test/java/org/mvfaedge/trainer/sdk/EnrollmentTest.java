package org.mvfaedge.trainer.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.mvfaedge.sdk.bank.BankPrecision;
import org.mvfaedge.sdk.bank.BankTensors;
import org.mvfaedge.sdk.bank.CoresetSelector;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxModelEdits;
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

    /** A bank initializer of a package, as float32 rows. */
    static float[] bank(Path pkg, String name) {
        ModelPackage p = ModelPackage.open(pkg);
        return BankTensors.rows(OnnxModelEdits.initializer(org.mvfaedge.sdk.onnx.OnnxModelFiles.readMapped(p.modelFile()), name));
    }

    @Test
    void aBudgetKeepsTheGreedyCoresetOfTheFullBankAndOnlyRaisesTheDistances() throws Exception {
        FixtureConfig cfg = fx.config();
        List<String> shots = cfg.supportImages();
        Path start = fx.export(tmp.resolve("budget-start"), shots.subList(0, 1), false);
        int budget = (int) (cfg.memoryBankRows() / 2);
        long seed = 77;
        Path full = tmp.resolve("budget-full");
        Path reduced = tmp.resolve("budget-reduced");
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            List<ImageInput> all = shots.stream().map(x -> ImageInput.of(fx.image(x))).toList();
            Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE).fullBank().addNormals(all).write(full);
            Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE).bankBudget(budget).selectionSeed(seed)
                    .addNormals(all).write(reduced);
        }
        Manifest.Mode fm = ModelPackage.open(full).manifest().mode();
        assertEquals(cfg.memoryBankRows(), fm.memoryBankRows());
        assertEquals(null, fm.bankReduction(), "a full bank records no reduction");
        Manifest.Mode rm = ModelPackage.open(reduced).manifest().mode();
        assertEquals(budget, rm.memoryBankRows());
        assertEquals(new Manifest.BankReduction("greedy-k-center", budget, cfg.memoryBankRows(), budget, seed,
                Math.min(cfg.bottleneck(), 128)), rm.bankReduction());
        assertTrue(Files.readString(reduced.resolve("manifest.json")).contains("\"bank_reduction\""));
        assertFalse(Files.readString(full.resolve("manifest.json")).contains("bank_reduction"));
        // All rows fit one reduction batch (2 x budget): the kept rows are exactly the one-shot greedy
        // selection over the full bank, in their order there.
        int width = cfg.bottleneck();
        for (int k = 0; k < cfg.levels(); k++) {
            for (String name : List.of(MvfaGraphNames.segMemory(k), MvfaGraphNames.detMemory(k))) {
                float[] fullRows = bank(full, name);
                int[] kept = new CoresetSelector(seed).select(fullRows, width, fullRows.length / width, budget).kept()
                        .clone();
                Arrays.sort(kept);
                float[] want = new float[budget * width];
                for (int j = 0; j < budget; j++) {
                    System.arraycopy(fullRows, kept[j] * width, want, j * width, width);
                }
                assertArrayEquals(want, bank(reduced, name), name);
            }
        }
        // Fewer rows can only lower the best cosine: every pixel's distance is at least the full bank's.
        try (AnomalyDetector f = AnomalyDetector.open(full, CPU); AnomalyDetector r = AnomalyDetector.open(reduced, CPU)) {
            for (int i = 0; i < cfg.images(); i++) {
                float[] a = f.detect(fx.image("img" + i)).rawFewMap();
                float[] b = r.detect(fx.image("img" + i)).rawFewMap();
                double raised = 0;
                for (int p = 0; p < a.length; p++) {
                    assertTrue(b[p] >= a[p] - 1e-5f, "img" + i + " pixel " + p + ": " + b[p] + " < " + a[p]);
                    raised = Math.max(raised, b[p] - a[p]);
                }
                assertTrue(raised > 0, "dropping half the rows changes some distance");
            }
        }
    }

    @Test
    void aFloat16BankHalvesTheBanksBytesAndMovesTheMapsByAtMostItsRounding() throws Exception {
        FixtureConfig cfg = fx.config();
        List<String> shots = cfg.supportImages();
        Path start = fx.export(tmp.resolve("fp16-start"), shots.subList(0, 1), false);
        Path f32 = tmp.resolve("fp16-ref");
        Path f16 = tmp.resolve("fp16-bank");
        List<ImageInput> all = shots.stream().map(x -> ImageInput.of(fx.image(x))).toList();
        try (AnomalyDetector d = AnomalyDetector.open(start, CPU)) {
            Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE).fullBank().addNormals(all).write(f32);
            Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE).fullBank().bankPrecision(BankPrecision.FP16)
                    .addNormals(all).write(f16);
        }
        assertEquals("fp16", ModelPackage.open(f16).manifest().mode().bankPrecision());
        assertEquals(null, ModelPackage.open(f32).manifest().mode().bankPrecision());
        long bankBytes = 2L * cfg.levels() * cfg.memoryBankRows() * cfg.bottleneck() * 4;
        long saved = Files.size(f32.resolve("model.onnx")) - Files.size(f16.resolve("model.onnx"));
        // Half the bank's bytes, less the few hundred bytes of the Cast nodes.
        assertTrue(saved > bankBytes / 2 - 1024 && saved <= bankBytes / 2, saved + " bytes saved of " + bankBytes);
        // Rounding a unit row to float16 moves it by at most 2^-11 (relative), so each level's best cosine
        // moves by at most 2^-11 and the level-summed map by levels x 2^-11 (measured on the fixture: 2.0e-4).
        double tol = cfg.levels() * 0x1p-11;
        try (AnomalyDetector a = AnomalyDetector.open(f32, CPU); AnomalyDetector b = AnomalyDetector.open(f16, CPU)) {
            for (int i = 0; i < cfg.images(); i++) {
                Detection x = a.detect(fx.image("img" + i));
                Detection y = b.detect(fx.image("img" + i));
                Fixtures.assertClose("fp16 bank img" + i + " few_map", y.rawFewMap(), x.rawFewMap(), tol);
                Fixtures.assertClose("fp16 bank img" + i + " few_score", new float[] {y.rawFewScore()},
                        new float[] {x.rawFewScore()}, tol);
            }
            // Enrolling into it keeps float16, and cannot widen it back.
            Path again = tmp.resolve("fp16-again");
            ModelPackage p = b.enroll(List.of(all.get(0)), again);
            assertEquals("fp16", p.manifest().mode().bankPrecision());
            assertEquals(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT16.getNumber(), OnnxModelEdits.initializer(
                    org.mvfaedge.sdk.onnx.OnnxModelFiles.readMapped(p.modelFile()), MvfaGraphNames.detMemory(0)).getDataType());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Enrollment.of(b)
                    .bankPrecision(BankPrecision.FP32).addNormal(all.get(0)).write(tmp.resolve("never-fp32")));
            assertTrue(e.getMessage().contains("cannot be widened"), e.getMessage());
        }
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
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> Enrollment.of(d).bankBudget(-1));
            assertTrue(negative.getMessage().contains("0: keep every row"), negative.getMessage());
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
