package org.mvfaedge.trainer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.Enrollment;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.bank.BankPrecision;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.export.LayerNormStyle;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.export.Precision;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import picocli.CommandLine.Command;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export}: writes a calibrated, verified model package under {@code onnx/}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export the adapted model as an ONNX model package (model.onnx + manifest.json).")
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--obj", required = true, description = "Object the package detects anomalies of.")
    String obj;

    @Option(names = "--adapters", paramLabel = "FILE",
            description = "Adapters (.safetensors or the paper's .pth); default <save-path>/<mode>-shot/<Object>.safetensors.")
    Path adapters;

    @Option(names = {"--save-path", "--save_path"}, defaultValue = "ckpt", description = "Checkpoint folder (default ${DEFAULT-VALUE}).")
    Path savePath;

    @Option(names = "--mode", defaultValue = "few", description = "few (memory bank included) or zero (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = {"--data-path", "--data_path"}, paramLabel = "DIR", description = "BMAD data (few-shot shots, calibration).")
    Path dataPath;

    @Mixin
    FewShotOptions fewShot;

    @Option(names = "--seed", defaultValue = PaperDefaults.SEED_OPTION,
            description = "Seed of a random split (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--calibrate-on", defaultValue = "valid",
            description = "valid (the valid split; a few-shot package leaves out its shots, which the model has seen), "
                    + "shots (the few-shot images) or none (default ${DEFAULT-VALUE}).")
    String calibrateOn;

    @Option(names = "--target-sensitivity", description = "Choose the threshold reaching this sensitivity (else best F1).")
    Double targetSensitivity;

    @Option(names = "--precision", defaultValue = "fp32",
            description = "fp32, or fp16 for GPUs (float16 tower; LayerNorm, Softmax and the heads in float32; "
                    + "float32 input and outputs). Default ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--layernorm", defaultValue = "fused",
            description = "fused (LayerNormalization; TensorRT 8.6+, ONNX Runtime) or decomposed (ReduceMean/Sub/Mul/"
                    + "Sqrt/Div, for TensorRT < 8.6 on JetPack 5). Default ${DEFAULT-VALUE}.")
    String layerNorm;

    @Option(names = "--bank-budget", paramLabel = "ROWS", defaultValue = "0",
            description = "Rows per level the few-shot memory bank keeps, chosen by greedy k-center coreset selection"
                    + " (PatchCore); the package is recalibrated on the calibration set after the reduction. Default"
                    + " ${DEFAULT-VALUE}: the paper's full bank.")
    int bankBudget;

    @Option(names = "--bank-seed", defaultValue = "0", description = "Seed of the coreset selection (default ${DEFAULT-VALUE}).")
    long bankSeed;

    @Option(names = "--bank-precision", defaultValue = "fp32",
            description = "fp32, or fp16: the bank stored in float16 (half its bytes), cast to float32 in the graph so"
                    + " similarities accumulate in float32. Default ${DEFAULT-VALUE}.")
    String bankPrecision;

    @Option(names = "--out", paramLabel = "DIR", description = "Package folder (default onnx/<Object>-<mode>-shot).")
    Path out;

    @Option(names = "--dicom-window", paramLabel = "file|minmax|C,W",
            description = "How DICOM inputs are rendered for this model, written in the manifest's dicom section"
                    + " (default file: the file's first window, else the frame's min-max).")
    String dicomWindow;

    @Option(names = "--batch", defaultValue = "8", description = "Images per pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--sign-key", paramLabel = "PRIVATE",
            description = "Sign the package with this Ed25519 private key PEM (mvfa-edge keygen); boxes with the public"
                    + " key as --trusted-key then open it.")
    Path signKey;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // checked before the export's long work, used after it
        org.mvfaedge.sdk.image.dicom.DicomWindow window = dicomWindow == null ? null
                : org.mvfaedge.sdk.image.dicom.DicomWindow.parse(dicomWindow);
        boolean few = switch (mode) {
            case "few" -> true;
            case "zero" -> false;
            default -> throw new IllegalArgumentException("--mode must be few or zero, got '" + mode + "'");
        };
        Precision graphPrecision = Precision.parse(precision);
        BankPrecision bankStorage = BankPrecision.of(bankPrecision);
        if (bankBudget < 0) {
            throw new IllegalArgumentException("--bank-budget is a number of rows >= 0 (0: the full bank), got " + bankBudget);
        }
        boolean rewriteBank = bankBudget > 0 || bankStorage == BankPrecision.FP16;
        if (rewriteBank && !few) {
            throw new IllegalArgumentException("--bank-budget and --bank-precision apply to few-shot packages (--mode few)");
        }
        LayerNormStyle layerNormStyle = LayerNormStyle.parse(layerNorm);
        Path adapterFile = adapters != null ? adapters
                : savePath.resolve(few ? "few-shot" : "zero-shot").resolve(obj + ".safetensors");
        if (!Files.isRegularFile(adapterFile)) {
            throw new IllegalArgumentException("adapter checkpoint not found: " + adapterFile + " (pass --adapters FILE)");
        }
        Path target = out != null ? out : Path.of("onnx", obj + "-" + mode + "-shot");
        // read before the export: a wrong key file must not cost a whole export
        java.security.PrivateKey key = signKey == null ? null : org.mvfaedge.sdk.pkg.trust.Ed25519Keys.readPrivate(signKey);
        try (MvfaModel m = MvfaModel.load(model.settings(adapterFile))) {
            ObjectInfo object = m.promptConfig().object(obj);
            BmadDataset data = dataPath == null ? null : BmadDataset.open(dataPath, object.name(), object.hasMasks());
            FewShotSplit split = null;
            if (few || calibrateOn.equals("shots")) {
                if (data == null) {
                    throw new IllegalArgumentException("--data-path is needed for the few-shot images");
                }
                split = fewShot.split(data, seed);
            }
            List<Sample> calibration = switch (calibrateOn) {
                case "none" -> List.of();
                case "valid" -> {
                    if (data == null) {
                        throw new IllegalArgumentException("--calibrate-on valid needs --data-path (or use --calibrate-on none)");
                    }
                    // Few-shot: the shots themselves are left out (bank and training images).
                    List<Sample> valid = few ? split.without(data.samples(BmadDataset.Split.VALID))
                            : data.samples(BmadDataset.Split.VALID);
                    if (valid.stream().noneMatch(x -> x.label() == 0) || valid.stream().noneMatch(x -> x.label() == 1)) {
                        throw new IllegalArgumentException("--calibrate-on valid needs normal and anomalous valid images "
                                + "besides the " + fewShot.shot + " + " + fewShot.shot + " few-shot ones; use --calibrate-on shots or none");
                    }
                    yield valid;
                }
                case "shots" -> {
                    List<Sample> s = new ArrayList<>(split.abnormal());
                    s.addAll(split.normal());
                    yield s;
                }
                default -> throw new IllegalArgumentException("--calibrate-on must be valid, shots or none");
            };
            Map<String, Path> sources = new LinkedHashMap<>();
            sources.put("clip", model.clip);
            sources.put("adapters", adapterFile);
            sources.put("bpe", model.bpe);
            sources.put("prompts", model.prompts);
            sources.put("objects", model.extraObjects);
            PackageExporter.Request.Builder request = PackageExporter.Request.builder(m, object, target)
                    .calibration(calibrateOn, calibration).targetSensitivity(targetSensitivity).sources(sources)
                    .batch(batch).precision(graphPrecision).layerNorm(layerNormStyle);
            if (few) {
                request.fewShot(split.normal(), fewShot.shot, split.iterate(), seed);
            }
            PackageExporter.Result r = PackageExporter.export(request.build());
            if (window != null) {
                new org.mvfaedge.sdk.dicom.DicomSettings(window).writeInto(r.pkg().dir());
            }
            var outw = spec.commandLine().getOut();
            ModelPackage written = r.pkg();
            if (rewriteBank) {
                written = rewriteBank(written, calibration, outw);
            }
            Manifest.Calibration c = written.manifest().calibration();
            outw.printf("wrote %s (%s, %s, %s) in %.1f s; export check: max difference %.2e to the DJL model (tolerance %.0e)%n",
                    r.pkg().dir(), object.name(), few ? "few-shot" : "zero-shot", graphPrecision.id(), r.seconds(),
                    r.maxDifference(), PackageExporter.verifyTolerance(graphPrecision));
            outw.printf("calibration: %s (%d images), threshold %.4f by %s%s%n", c.source(), c.images(), c.threshold(),
                    c.thresholdRule(), c.operatingPoint() == null ? "" : String.format(
                            " (sensitivity %.3f, specificity %.3f, F1 %.3f)", c.operatingPoint().sensitivity(),
                            c.operatingPoint().specificity(), c.operatingPoint().f1()));
            if (key != null) {
                var sig = org.mvfaedge.sdk.pkg.trust.PackageSigner.sign(r.pkg().dir(), key);
                outw.printf("signed %s with key %s%n", r.pkg().dir(), sig.keyId());
            }
            outw.flush();
        }
        return 0;
    }

    /**
     * The exported (and checked) package with its bank reduced or stored in float16, through the SDK's
     * enrollment without images, then recalibrated on the same calibration set: the statistics and
     * threshold must describe the bank the package carries.
     */
    private ModelPackage rewriteBank(ModelPackage exported, List<Sample> calibration, java.io.PrintWriter outw)
            throws java.io.IOException {
        Path full = exported.dir().resolveSibling("." + exported.dir().getFileName() + ".full-bank");
        java.nio.file.Files.move(exported.dir(), full, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try (AnomalyDetector d = AnomalyDetector.open(full, DetectorOptions.builder()
                .providers(ExecutionProvider.CPU).build())) {
            Enrollment e = Enrollment.of(d).withoutImages().bankBudget(bankBudget).selectionSeed(bankSeed);
            if (BankPrecision.of(bankPrecision) == BankPrecision.FP16) {
                e.bankPrecision(BankPrecision.FP16);
            }
            String source = exported.manifest().calibration().source();
            if (!calibration.isEmpty()) {
                e.calibrationSource(source).recalibrateOn(calibration.stream().map(x -> new Enrollment.LabeledImage(
                        ImageInput.of(x.image()), x.label() == 1)).toList(), targetSensitivity);
            }
            ModelPackage p = e.write(exported.dir());
            Manifest.Mode mode = p.manifest().mode();
            outw.printf("memory bank: %d of %d rows per level kept (greedy k-center, seed %d), %s%n",
                    mode.memoryBankRows(), mode.bankReduction() == null ? mode.memoryBankRows()
                            : mode.bankReduction().rowsBefore(), bankSeed,
                    mode.bankPrecision() == null ? "float32" : "float16");
            return p;
        } finally {
            deleteTree(full);
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
