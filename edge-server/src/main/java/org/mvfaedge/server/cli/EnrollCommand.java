package org.mvfaedge.server.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Enrollment;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code enroll}: adds a site's normal images to a few-shot package's memory bank through the SDK
 * (no trainer, no CLIP weights needed) and writes a new package; optionally recalibrates on
 * labelled images.
 */
@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = "Add normal images to a few-shot package's memory bank; writes a new package.")
public final class EnrollCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Few-shot model package to start from.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder of the new package.")
    Path out;

    @Option(names = "--replace", description = "Rebuild the bank from these images only (default: append to it).")
    boolean replace;

    @Option(names = "--bank-budget", paramLabel = "ROWS", defaultValue = "" + Enrollment.DEFAULT_BANK_BUDGET,
            description = "Rows per level the memory bank keeps, chosen by greedy k-center coreset selection among the"
                    + " package's and the new images' rows (default ${DEFAULT-VALUE}; 0: keep every row).")
    int bankBudget;

    @Option(names = "--bank-seed", defaultValue = "0", description = "Seed of the coreset selection (default ${DEFAULT-VALUE}).")
    long bankSeed;

    @Option(names = "--calibrate-normal", split = ",", paramLabel = "FILE",
            description = "Normal images to recalibrate on (with --calibrate-anomalous).")
    List<Path> calibrateNormal = new ArrayList<>();

    @Option(names = "--calibrate-anomalous", split = ",", paramLabel = "FILE",
            description = "Anomalous images to recalibrate on (with --calibrate-normal).")
    List<Path> calibrateAnomalous = new ArrayList<>();

    @Option(names = "--target-sensitivity", description = "Recalibrated threshold reaching this sensitivity (else best F1).")
    Double targetSensitivity;

    @Option(names = "--sign-key", paramLabel = "PRIVATE",
            description = "Sign the new package with this Ed25519 private key (an enrolled package is a new package:"
                    + " the source's signature does not cover it).")
    Path signKey;

    @Mixin
    DetectorOptionsMixin detectorOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Normal images to enroll.")
    List<Path> images;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        // read the key first: a wrong key file must not cost a whole enrollment
        java.security.PrivateKey key = signKey == null ? null : org.mvfaedge.sdk.pkg.trust.Ed25519Keys.readPrivate(signKey);
        if (calibrateNormal.isEmpty() != calibrateAnomalous.isEmpty()) {
            throw new IllegalArgumentException("recalibration needs both --calibrate-normal and --calibrate-anomalous images");
        }
        PrintWriter w = spec.commandLine().getOut();
        try (AnomalyDetector detector = AnomalyDetector.open(model, detectorOptions.toOptions())) {
            Enrollment e = Enrollment.of(detector)
                    .bankUpdate(replace ? Enrollment.BankUpdate.REPLACE : Enrollment.BankUpdate.APPEND)
                    .bankBudget(bankBudget).selectionSeed(bankSeed);
            images.forEach(p -> e.addNormal(ImageInput.of(p)));
            if (!calibrateNormal.isEmpty()) {
                List<Enrollment.LabeledImage> labelled = new ArrayList<>();
                calibrateNormal.forEach(p -> labelled.add(new Enrollment.LabeledImage(ImageInput.of(p), false)));
                calibrateAnomalous.forEach(p -> labelled.add(new Enrollment.LabeledImage(ImageInput.of(p), true)));
                e.recalibrateOn(labelled, targetSensitivity);
            }
            ModelPackage p = e.write(out);
            Manifest m = p.manifest();
            if (key != null) {
                var sig = org.mvfaedge.sdk.pkg.trust.PackageSigner.sign(p.dir(), key);
                w.printf("signed %s with key %s%n", p.dir(), sig.keyId());
            }
            Manifest.BankReduction r = m.mode().bankReduction();
            w.printf("wrote %s: %d support image(s), memory bank of %d rows per level%s; calibration %s, threshold %.4f%n",
                    p.dir(), m.mode().supportImages().size(), m.mode().memoryBankRows(),
                    r == null ? "" : " (greedy coreset of " + r.rowsBefore() + ")", m.calibration().source(),
                    m.calibration().threshold());
            w.flush();
        }
        return 0;
    }
}
