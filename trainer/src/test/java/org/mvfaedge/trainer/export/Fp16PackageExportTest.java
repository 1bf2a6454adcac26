package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.sdk.testing.ManifestSchema;
import picocli.CommandLine;

/**
 * fp16 model packages: written through {@link PackageExporter} and {@code ./mvfa export --precision
 * fp16}, recorded as fp16 in the manifest, accepted by onnx.checker, and within 1e-2 of the
 * reference's maps (and of the fp32 package) in ONNX Runtime.
 */
class Fp16PackageExportTest {
    private static final double TOL = 1e-2;

    private record Cli(int exit, String out, String err) {
    }

    private static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Cli(rc, out.toString(), err.toString());
    }

    @Test
    void fp16PackageReproducesTheReferenceMapsWithin1e2(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        try (MvfaModel model = MvfaModel.load(PackageExportTest.fixtureSettings(cfg, "adapters/initial.pth"))) {
            List<Sample> support = PackageExportTest.supportSamples(cfg);
            var r = PackageExporter.export(new PackageExporter.Request(model, model.promptConfig().object("Brain"),
                    support, support.size(), 0, 111, "none", List.of(), null, tmp.resolve("brain-few-fp16"),
                    Map.of("clip", fx.resolve("clip/clip-torchscript.pt")), 4, Precision.FP16));
            System.out.printf("parity %-50s max abs diff %.3e (tol %.1e)%n", "fp16 export check ONNX vs DJL",
                    r.maxDifference(), PackageExporter.VERIFY_TOLERANCE_FP16);
            assertTrue(r.maxDifference() <= PackageExporter.VERIFY_TOLERANCE_FP16);
            ModelPackage pkg = ModelPackage.open(ManifestSchema.assertValid(r.pkg().dir()));
            assertEquals("fp16", pkg.manifest().model().precision());
            assertEquals(Precision.FP16, HalfPrecisionGraph.precisionOf(OnnxModelFiles.read(pkg.modelFile())));
            OnnxChecker.check(pkg.modelFile());
            Preprocessor pre = new Preprocessor(cfg.imgSize());
            try (OnnxRawScorer ort = OnnxRawScorer.cpu(pkg.modelFile(), cfg.imgSize())) {
                for (int i = 0; i < cfg.images(); i++) {
                    float[] img = pre.image(new ImageDecoder().decode(fx.resolve("images/img" + i + ".png")));
                    RawOutputs o = ort.score(img, 1);
                    String d = "forward/img" + i + "/";
                    Fixtures.assertClose("fp16 package img" + i + " zero_map", o.zeroMap(), cfg.map(d + "zero_Brain_pixel_map.npy"), TOL);
                    Fixtures.assertClose("fp16 package img" + i + " zero_score", o.zeroScore(), npy(fx, d + "zero_Brain_image_score.npy"), TOL);
                    Fixtures.assertClose("fp16 package img" + i + " few_map", o.fewMap(), cfg.map(d + "few_seg_map.npy"), TOL);
                    Fixtures.assertClose("fp16 package img" + i + " few_score", o.fewScore(), npy(fx, d + "few_det_score.npy"), TOL);
                }
            }
        }
    }

    private static float[] npy(Path fx, String f) {
        return Fixtures.npy(fx.resolve(f)).floats();
    }

    @Test
    void cliExportsFp16NextToFp32AndTheyAgree(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Path fp32 = tmp.resolve("fp32");
        Path fp16 = tmp.resolve("fp16");
        for (String precision : List.of("fp32", "fp16")) {
            Cli c = run(PackageExportTest.exportArgs(cfg, List.of("export", "--clip",
                    fx.resolve("clip/clip-torchscript.pt").toString(), "--bpe", Fixtures.bpe().toString(), "--adapters",
                    fx.resolve("adapters/after_3_steps.pth").toString(), "--obj", "Brain"), List.of("--mode", "few",
                    "--data-path", fx.resolve("eval/data").toString(), "--fewshot-seed-dir",
                    fx.resolve("eval/dataset/fewshot_seed").toString(), "--shot", "2", "--iterate", "0", "--calibrate-on",
                    "valid", "--precision", precision, "--out", (precision.equals("fp32") ? fp32 : fp16).toString())));
            assertEquals(0, c.exit(), c.err());
            assertTrue(c.out().contains(precision) && c.out().contains("export check: max difference"), c.out());
            System.out.print(c.out());
        }
        ModelPackage p16 = ModelPackage.open(ManifestSchema.assertValid(fp16));
        assertEquals("fp16", p16.manifest().model().precision());
        assertEquals("fp32", ModelPackage.open(ManifestSchema.assertValid(fp32)).manifest().model().precision());
        assertTrue(Files.size(p16.modelFile()) < Files.size(ModelPackage.open(fp32).modelFile()));
        Preprocessor pre = new Preprocessor(cfg.imgSize());
        try (OnnxRawScorer a = OnnxRawScorer.cpu(p16.modelFile(), cfg.imgSize());
                OnnxRawScorer b = OnnxRawScorer.cpu(ModelPackage.open(fp32).modelFile(), cfg.imgSize())) {
            float[] img = pre.image(new ImageDecoder().decode(fx.resolve("images/img2.png")));
            RawOutputs h = a.score(img, 1);
            RawOutputs f = b.score(img, 1);
            Fixtures.assertClose("cli fp16 vs fp32 package zero_map", h.zeroMap(), f.zeroMap(), TOL);
            Fixtures.assertClose("cli fp16 vs fp32 package zero_score", h.zeroScore(), f.zeroScore(), TOL);
            Fixtures.assertClose("cli fp16 vs fp32 package few_map", h.fewMap(), f.fewMap(), TOL);
            Fixtures.assertClose("cli fp16 vs fp32 package few_score", h.fewScore(), f.fewScore(), TOL);
        }
    }

    @Test
    void cliWritesAnFp16PackageWithDecomposedLayerNorms(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Path pkgDir = tmp.resolve("fp16-decomposed");
        Cli c = run(PackageExportTest.exportArgs(cfg, List.of("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                "--bpe", Fixtures.bpe().toString(), "--adapters", fx.resolve("adapters/initial.pth").toString(), "--obj",
                "Brain"), List.of("--mode", "zero", "--calibrate-on", "none", "--precision", "fp16", "--layernorm",
                "decomposed", "--out", pkgDir.toString())));
        assertEquals(0, c.exit(), c.err());
        ModelPackage p = ModelPackage.open(ManifestSchema.assertValid(pkgDir));
        assertEquals("fp16", p.manifest().model().precision());
        var model = OnnxModelFiles.read(p.modelFile());
        assertTrue(model.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("LayerNormalization")));
        assertTrue(model.getMetadataPropsList().stream()
                .anyMatch(e -> e.getKey().equals(LayerNormDecomposition.STYLE_KEY) && e.getValue().equals("decomposed")));
        Preprocessor pre = new Preprocessor(cfg.imgSize());
        try (OnnxRawScorer ort = OnnxRawScorer.cpu(p.modelFile(), cfg.imgSize())) {
            for (int i = 0; i < cfg.images(); i++) {
                RawOutputs o = ort.score(pre.image(new ImageDecoder().decode(fx.resolve("images/img" + i + ".png"))), 1);
                Fixtures.assertClose("cli fp16 decomposed img" + i + " zero_map", o.zeroMap(),
                        cfg.map("forward/img" + i + "/zero_Brain_pixel_map.npy"), TOL);
            }
        }
        Cli bad = run("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(), "--adapters",
                fx.resolve("adapters/initial.pth").toString(), "--obj", "Brain", "--mode", "zero", "--layernorm", "split",
                "--out", tmp.resolve("y").toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--layernorm must be fused") && bad.err().contains("'split'"), bad.err());
    }

    @Test
    void unknownPrecisionIsRefusedBeforeAnyWork(@TempDir Path tmp) {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Cli c = run(PackageExportTest.exportArgs(cfg, List.of("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                "--bpe", Fixtures.bpe().toString(), "--adapters", fx.resolve("adapters/after_3_steps.pth").toString(),
                "--obj", "Brain"), List.of("--mode", "zero", "--calibrate-on", "none", "--precision", "int8", "--out",
                tmp.resolve("x").toString())));
        assertEquals(2, c.exit());
        assertTrue(c.err().contains("--precision must be one of fp32, fp16, got 'int8'"), c.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
