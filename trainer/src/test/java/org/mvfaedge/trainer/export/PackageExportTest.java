package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.sdk.testing.ManifestSchema;
import picocli.CommandLine;

/**
 * Model packages end to end: exported from the paper-format adapters, opened and verified, run in
 * ONNX Runtime; outputs equal the reference's maps, and {@code ./mvfa evaluate} on a package gives the
 * reference's AUCs and scores.
 */
class PackageExportTest {
    /** {@code export} with the fixture's model options (img_size, features, activation) after {@code --obj}. */
    static String[] exportArgs(FixtureConfig cfg, List<String> before, List<String> after) {
        List<String> args = new ArrayList<>(before);
        args.addAll(cfg.modelArgs());
        args.addAll(after);
        return args.toArray(new String[0]);
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        assertEquals(0, rc, err.toString());
        return out.toString();
    }

    /** A package with the fixture's own memory bank (its support images) and initial adapters reproduces its maps. */
    @Test
    void packageOutputsEqualTheReferenceMaps(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        try (MvfaModel model = MvfaModel.load(fixtureSettings(cfg, "adapters/initial.pth"))) {
            List<Sample> support = supportSamples(cfg);
            var r = PackageExporter.export(new PackageExporter.Request(model, model.promptConfig().object("Brain"),
                    support, support.size(), 0, 111, "none", List.of(), null, tmp.resolve("brain-few"),
                    Map.of("clip", fx.resolve("clip/clip-torchscript.pt")), 4));
            System.out.printf("parity %-50s max abs diff %.3e (tol 1.0e-04)%n", "export check ONNX vs DJL", r.maxDifference());
            ModelPackage pkg = ModelPackage.open(ManifestSchema.assertValid(r.pkg().dir()));
            assertEquals(cfg.memoryBankRows(), pkg.manifest().mode().memoryBankRows(), "shots x 11 views x tokens");
            assertEquals(cfg.imgSize(), pkg.manifest().model().imgSize());
            assertEquals(cfg.levels(), pkg.manifest().model().levels());
            OnnxChecker.check(pkg.modelFile());
            Preprocessor pre = new Preprocessor(cfg.imgSize());
            try (OnnxRawScorer ort = OnnxRawScorer.cpu(pkg.modelFile(), cfg.imgSize())) {
                for (int i = 0; i < cfg.images(); i++) {
                    float[] img = pre.image(new ImageDecoder().decode(fx.resolve("images/img" + i + ".png")));
                    RawOutputs o = ort.score(img, 1);
                    String d = "forward/img" + i + "/";
                    Fixtures.assertClose("package img" + i + " zero_map", o.zeroMap(), cfg.map(d + "zero_Brain_pixel_map.npy"), 1e-4);
                    Fixtures.assertClose("package img" + i + " zero_score", o.zeroScore(), npy(fx, d + "zero_Brain_image_score.npy"), 1e-4);
                    Fixtures.assertClose("package img" + i + " few_map", o.fewMap(), cfg.map(d + "few_seg_map.npy"), 1e-4);
                    Fixtures.assertClose("package img" + i + " few_score", o.fewScore(), npy(fx, d + "few_det_score.npy"), 1e-4);
                }
            }
        }
    }

    private static float[] npy(Path fx, String f) throws Exception {
        return Npy.read(fx.resolve(f)).floats();
    }

    /** The fixture's model as the reference ran it (img_size, features, activation), with these adapters. */
    static MvfaSettings fixtureSettings(FixtureConfig cfg, String adapters) {
        return new MvfaSettings(cfg.file("clip/clip-torchscript.pt"), Fixtures.bpe(), PromptConfig.builtIn(),
                cfg.imgSize(), cfg.features(), Activation.parse(cfg.activation()), cfg.file(adapters));
    }

    /** The fixture's memory-bank shots ({@code memory_support_images}) as normal samples. */
    static List<Sample> supportSamples(FixtureConfig cfg) {
        return cfg.supportImages().stream().map(s -> new Sample(cfg.file("images/" + s + ".png"), 0, null)).toList();
    }

    @ParameterizedTest
    @CsvSource({"few,Brain,few_shot,few_shot_k2_iterate0", "few,Chest,few_shot,few_shot_k2_iterate0",
        "zero,Brain,zero_shot,zero_shot", "zero,Chest,zero_shot,zero_shot"})
    void evaluateOnAPackageGivesTheReferenceAucs(String mode, String object, String prefix, String key, @TempDir Path tmp)
            throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Path pkg = tmp.resolve(object + "-" + mode);
        String out = run(exportArgs(cfg, List.of("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(), "--bpe",
                Fixtures.bpe().toString(), "--adapters", fx.resolve("adapters/after_3_steps.pth").toString(), "--obj", object),
                List.of("--mode", mode, "--data-path", fx.resolve("eval/data").toString(),
                "--fewshot-seed-dir", fx.resolve("eval/dataset/fewshot_seed").toString(), "--shot", "2", "--iterate", "0",
                "--calibrate-on", "valid", "--out", pkg.toString())));
        assertTrue(out.contains("export check: max difference"), out);
        ModelPackage p = ModelPackage.open(ManifestSchema.assertValid(pkg));
        assertEquals("valid", p.manifest().calibration().source());
        // The valid split holds 6 images; a few-shot package leaves out its 2 + 2 shots (the bank and
        // the training images), so its threshold is not fitted to images the model has seen.
        assertEquals(mode.equals("few") ? 2 : 6, p.manifest().calibration().images());
        assertNotNull(p.manifest().sources().get("adapters"));

        JsonNode r = new ObjectMapper().readTree(run("evaluate", "--model", pkg.toString(), "--data-path",
                fx.resolve("eval/data").toString(), "--json").strip());
        JsonNode expected = cfg.json().get("evaluation").get(object).get(key);
        double img = r.get("image_auc").asDouble();
        System.out.printf("parity %-50s abs diff %.3e (tol 1e-4)%n", "evaluate package " + object + " " + mode + " image AUC",
                Math.abs(img - expected.get("image_auc").asDouble()));
        // The reference's AUCs hold for the fixture's configuration only: name the one the package was made at.
        String made = object + " " + mode + "-shot package exported at " + String.join(" ", cfg.modelArgs());
        assertEquals(expected.get("image_auc").asDouble(), img, 1e-4, made + ": image AUC");
        if (expected.has("pixel_auc")) {
            double px = r.get("pixel_auc").asDouble();
            System.out.printf("parity %-50s abs diff %.3e (tol 1e-4)%n", "evaluate package " + object + " " + mode + " pixel AUC",
                    Math.abs(px - expected.get("pixel_auc").asDouble()));
            assertEquals(expected.get("pixel_auc").asDouble(), px, 1e-4, made + ": pixel AUC");
        }
        float[] expScores = Npy.read(fx.resolve("eval/expected/" + object + "_" + prefix + "_image_scores.npy")).floats();
        float[] scores = new float[expScores.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) r.get("image_scores").get(i).asDouble();
        }
        Fixtures.assertClose("evaluate package " + object + " " + mode + " image scores", scores, expScores, 1e-4);
    }
}
