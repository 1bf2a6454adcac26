package org.mvfaedge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.server.TestPackages;
import org.mvfaedge.sdk.testing.ManifestSchema;
import picocli.CommandLine;

/**
 * {@code mvfa-edge predict}, {@code enroll} (and {@code ./mvfa predict|enroll}, which hand over to it)
 * in-process, on a real package exported from the golden fixture; the SDK run directly is the truth.
 */
class EdgeCommandsTest {
    @TempDir
    static Path tmp;
    static Path pkg;

    /** The fixture's images by name (img0..2, support0..1). */
    private static final class Fx {
        Path image(String name) {
            return org.mvfaedge.sdk.testing.Fixtures.tinyA().resolve("images/" + name + ".png");
        }
    }

    static final Fx fx = new Fx();

    @BeforeAll
    static void export() {
        pkg = TestPackages.brainFew();
    }

    record Run(int rc, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void predictPrintsOneJsonLinePerImageAndWritesOverlays() throws Exception {
        Path overlays = tmp.resolve("overlays");
        List<String> args = new ArrayList<>(List.of("predict", "--model", pkg.toString(), "--json", "--providers", "cpu",
                "--overlay", overlays.toString()));
        for (int i = 0; i < 3; i++) {
            args.add(fx.image("img" + i).toString());
        }
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        try (AnomalyDetector d = AnomalyDetector.open(pkg,
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            for (int i = 0; i < 3; i++) {
                JsonNode j = new ObjectMapper().readTree(lines.get(i));
                Detection want = d.detect(fx.image("img" + i));
                assertEquals(fx.image("img" + i).toString(), j.get("file").asText());
                assertEquals(want.score(), j.get("score").floatValue(), 0f);
                assertEquals(want.anomalous() ? "anomalous" : "normal", j.get("decision").asText());
                assertEquals(want.threshold(), j.get("threshold").asDouble(), 0);
                assertEquals(want.regions().size(), j.get("regions").size());
                for (String stage : List.of("decode", "preprocess", "inference", "postprocess", "total")) {
                    assertTrue(j.get("timings_ms").get(stage).asDouble() >= 0, stage);
                }
                // the SDK's one detection shape, the file in front (timings differ from run to run)
                JsonNode sdk = new ObjectMapper().readTree(want.toJson());
                List<String> cliFields = new ArrayList<>();
                j.fieldNames().forEachRemaining(cliFields::add);
                List<String> sdkFields = new ArrayList<>(List.of("file"));
                sdk.fieldNames().forEachRemaining(sdkFields::add);
                assertEquals(sdkFields, cliFields);
                for (String f : List.of("score", "decision", "anomalous", "threshold", "width", "height", "raw", "regions")) {
                    assertEquals(sdk.get(f), j.get(f), f);
                }
                assertEquals(want.rawFewScore(), j.get("raw").get("few_score").floatValue(), "raw few-shot score");
                BufferedImage png = ImageIO.read(overlays.resolve("img" + i + ".overlay.png").toFile());
                assertEquals(want.width(), png.getWidth());
                assertEquals(want.height(), png.getHeight());
            }
        }
        try (var s = Files.list(overlays)) {
            assertEquals(3, s.count(), "only the three overlays, no temporary files");
        }
    }

    @Test
    void twoImagesWithTheSameNameGetTwoOverlays() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(fx.image("img1"), other.resolve("img0.png"));
        Path overlays = tmp.resolve("same-name");
        Run r = run("predict", "--model", pkg.toString(), "--providers", "cpu", "--overlay", overlays.toString(),
                fx.image("img0").toString(), other.resolve("img0.png").toString());
        assertEquals(0, r.rc(), r.err());
        // img0 (90 wide) and img1 (72 wide) under the same name: both overlays are there.
        int w0 = new org.mvfaedge.sdk.image.ImageDecoder().decode(fx.image("img0")).width();
        int w1 = new org.mvfaedge.sdk.image.ImageDecoder().decode(fx.image("img1")).width();
        assertTrue(w0 != w1);
        assertEquals(w0, ImageIO.read(overlays.resolve("img0.overlay.png").toFile()).getWidth());
        assertEquals(w1, ImageIO.read(overlays.resolve("img0-2.overlay.png").toFile()).getWidth());
    }

    @Test
    void anUnreadableImageIsReportedOnItsOwnLineTheOthersStillRunAndTheExitIs2() throws Exception {
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        Run r = run("predict", "--model", pkg.toString(), "--providers", "CPU", "--json", fx.image("img0").toString(),
                empty.toString(), fx.image("img1").toString());
        assertEquals(2, r.rc());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertEquals("EMPTY", new ObjectMapper().readTree(lines.get(1)).get("reason").asText());
        assertTrue(new ObjectMapper().readTree(lines.get(2)).has("score"));
        assertTrue(r.err().contains("is empty (0 bytes)"), r.err());
        assertTrue(r.err().contains("1 of 3 image(s) could not be read"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void aMissingPackageIsOneLineWithExit2AndAStackTraceOnlyWhenVerbose() {
        Run r = run("predict", "--model", tmp.resolve("nope").toString(), fx.image("img0").toString());
        assertEquals(2, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mvfa-edge predict: model package"), r.err());
        Run v = run("predict", "--verbose", "--model", tmp.resolve("nope").toString(), fx.image("img0").toString());
        assertEquals(2, v.rc());
        assertTrue(v.err().contains("\tat "), v.err());
        Run bad = run("predict", "--model", pkg.toString(), "--providers", "GPU", fx.image("img0").toString());
        assertEquals(2, bad.rc());
        assertTrue(bad.err().contains("'GPU' is not an execution provider"), bad.err());
    }

    @Test
    void enrollWritesANewPackageWithTheBiggerBank() {
        // One more image adds as many rows as each of the package's support images did.
        var mode = ModelPackage.open(pkg).manifest().mode();
        long rows = mode.memoryBankRows() + mode.memoryBankRows() / mode.supportImages().size();
        Path out = tmp.resolve("enrolled");
        Run r = run("enroll", "--model", pkg.toString(), "--out", out.toString(), "--providers", "cpu",
                fx.image("support1").toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("memory bank of " + rows + " rows per level"), r.out());
        assertEquals(rows, ModelPackage.open(ManifestSchema.assertValid(out)).manifest().mode().memoryBankRows());
        // A budget below the rows: the bank is the budget's size, and the manifest says what was reduced.
        long budget = mode.memoryBankRows() / 2;
        Path small = tmp.resolve("enrolled-budget");
        Run b = run("enroll", "--model", pkg.toString(), "--out", small.toString(), "--providers", "cpu",
                "--bank-budget", Long.toString(budget), "--bank-seed", "5", fx.image("support1").toString());
        assertEquals(0, b.rc(), b.err());
        assertTrue(b.out().contains("memory bank of " + budget + " rows per level (greedy coreset of " + rows + ")"),
                b.out());
        var reduction = ModelPackage.open(ManifestSchema.assertValid(small)).manifest().mode().bankReduction();
        assertEquals(budget, reduction.budget());
        assertEquals(rows, reduction.rowsBefore());
        assertEquals(5, reduction.seed());
        Run negative = run("enroll", "--model", pkg.toString(), "--out", tmp.resolve("y").toString(), "--bank-budget",
                "-3", fx.image("support1").toString());
        assertEquals(2, negative.rc());
        assertTrue(negative.err().contains("0: keep every row"), negative.err());
        Run half = run("enroll", "--model", pkg.toString(), "--out", tmp.resolve("x").toString(), "--calibrate-normal",
                fx.image("img1").toString(), fx.image("support1").toString());
        assertEquals(2, half.rc());
        assertTrue(half.err().contains("needs both"), half.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void predictWithMapGivesTheSdksMapAtTheImagesResolution() throws Exception {
        Run r = run("predict", "--model", pkg.toString(), "--json", "--map", fx.image("img1").toString());
        assertEquals(0, r.rc(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        try (AnomalyDetector d = AnomalyDetector.open(pkg, DetectorOptions.defaults())) {
            Detection want = d.detect(fx.image("img1"));
            assertEquals(want.width() * want.height(), j.get("map").size());
            for (int i = 0; i < want.map().length; i++) {
                assertEquals(want.map()[i], j.get("map").get(i).floatValue(), 0f, "map[" + i + "]");
            }
        }
    }

    /** On this CPU build: the default providers (CPU only) work and the model opens; exit 0. */
    @Test
    void doctorOnTheCpuBuildIsHealthyWithTheModel() {
        Run r = run("doctor", "--model", pkg.toString());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("artifact onnxruntime ("), r.out());
        assertTrue(r.out().contains("Providers requested:   [CPU]"), r.out());
        assertTrue(r.out().contains("on CPU: opens and runs on CPU"), r.out());
        assertTrue(r.out().contains("architecture " + System.getProperty("os.arch")), r.out());
        assertTrue(r.out().contains("Result: OK"), r.out());
    }

    /** Asking for CUDA on the CPU build: doctor names the problem and exits 1. */
    @Test
    void doctorFailsWhenARequestedProviderDoesNotWork() {
        Run r = run("doctor", "--providers", "cuda,cpu", "--model", pkg.toString());
        assertEquals(1, r.rc(), r.out());
        assertTrue(r.out().contains("CUDA: FAILS to register"), r.out());
        assertTrue(r.out().contains("PROBLEM: CUDA does not register"), r.out());
        assertTrue(r.out().contains("PROBLEM: the model does not open on CUDA"), r.out());
        assertFalse(r.out().contains("PROBLEM: CPU"), r.out());
    }

    @Test
    void versionNamesTheFlavourAndThePlatform() {
        Run r = run("version");
        assertEquals(0, r.rc(), r.err());
        String flavour = System.getProperty("mvfa.dist.flavour", "cpu");
        assertTrue(r.out().startsWith("mvfa-edge 0.1.0-SNAPSHOT, " + flavour + " build (onnxruntime"), r.out());
        assertTrue(r.out().contains(System.getProperty("os.arch")), r.out());
    }
}
