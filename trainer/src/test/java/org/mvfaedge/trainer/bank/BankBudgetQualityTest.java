package org.mvfaedge.trainer.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.Enrollment;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.demo.DemoData;
import org.mvfaedge.trainer.demo.DemoPlan;
import org.mvfaedge.trainer.demo.DemoRun;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The default enrollment budget against the full bank on the demo's own data (its small size): the
 * demo's brain package enrols the valid split's normal images that are not its shots, once keeping
 * every row and once with {@link Enrollment#DEFAULT_BANK_BUDGET}; both are evaluated with the paper's
 * protocol (as {@code ./mvfa evaluate}) on the test split. The budget must cost at most one AUC point.
 */
class BankBudgetQualityTest {
    static final DetectorOptions CPU = DetectorOptions.builder().providers(ExecutionProvider.CPU).build();

    @Test
    void theDefaultBudgetKeepsTheDemosAucsWithinOnePointOfTheFullBank(@TempDir Path tmp) throws Exception {
        DemoRun.singleThreadedTorch();
        DemoRun.Outcome demo = new DemoRun(DemoPlan.small(), tmp.resolve("demo"), DemoRun.DEFAULT_SEED, null).run();
        Path pkg = demo.packageDir();
        Manifest m = ModelPackage.open(pkg).manifest();
        Path good = demo.out().resolve("data").resolve(DemoData.BRAIN + "_AD/valid/good/img");
        List<Path> normals;
        try (Stream<Path> s = Files.list(good)) {
            normals = s.filter(p -> !m.mode().supportImages().contains(p.getFileName().toString())).sorted().toList();
        }
        assertEquals(DemoPlan.small().brain().validGood() - m.mode().shot(), normals.size(), "valid normals, not shots");
        Path full = tmp.resolve("full");
        Path budget = tmp.resolve("budget");
        try (AnomalyDetector d = AnomalyDetector.open(pkg, CPU)) {
            Enrollment.of(d).fullBank().addNormals(normals.stream().map(ImageInput::of).toList()).write(full);
            Enrollment.of(d).addNormals(normals.stream().map(ImageInput::of).toList()).write(budget);
        }
        long perImage = m.mode().memoryBankRows() / m.mode().shot();
        long fullRows = m.mode().memoryBankRows() + normals.size() * perImage;
        assertEquals(fullRows, ModelPackage.open(full).manifest().mode().memoryBankRows());
        Manifest.Mode bm = ModelPackage.open(budget).manifest().mode();
        assertTrue(fullRows > Enrollment.DEFAULT_BANK_BUDGET, "the budget must reduce this bank: " + fullRows);
        assertEquals(Enrollment.DEFAULT_BANK_BUDGET, bm.memoryBankRows());
        assertEquals(fullRows, bm.bankReduction().rowsBefore());

        EvaluationResult exported = evaluate(pkg, m, demo.out());
        EvaluationResult f = evaluate(full, m, demo.out());
        EvaluationResult b = evaluate(budget, m, demo.out());
        System.out.printf("bank quality (demo small): exported %d rows %.4f/%.4f; +%d normals full %d rows %.4f/%.4f;"
                + " budget %d rows %.4f/%.4f%n", m.mode().memoryBankRows(), exported.imageAuc(), exported.pixelAuc(),
                normals.size(), fullRows, f.imageAuc(), f.pixelAuc(), bm.memoryBankRows(), b.imageAuc(), b.pixelAuc());
        assertEquals(f.imageAuc(), b.imageAuc(), 0.01, "image AUC, budget vs full bank");
        assertEquals(f.pixelAuc(), b.pixelAuc(), 0.01, "pixel AUC, budget vs full bank");
    }

    private static EvaluationResult evaluate(Path pkgDir, Manifest m, Path demo) {
        ModelPackage pkg = ModelPackage.open(pkgDir);
        Manifest.ObjectSpec o = m.object();
        ObjectInfo object = new ObjectInfo(o.name(), o.realName(), o.hasMasks() ? 1 : -1, o.hasMasks());
        List<Sample> test = BmadDataset.open(demo.resolve("data"), o.name(), o.hasMasks()).samples(BmadDataset.Split.TEST);
        try (OnnxRawScorer scorer = OnnxRawScorer.cpu(pkg.modelFile(), m.model().imgSize())) {
            return new Evaluator(scorer, 8).fewShot(object, test, done -> { });
        }
    }
}
