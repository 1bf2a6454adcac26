package org.mvfaedge.trainer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.pkg.Manifest;
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
            Manifest.Calibration c = r.pkg().manifest().calibration();
            var outw = spec.commandLine().getOut();
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
}
