package org.mvfaedge.trainer.export;

import org.mvfaedge.sdk.util.AtomicFiles;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.DjlRawScorer;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.TextFeatures;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * Writes a model package: the adapted model as one ONNX graph (text features and, few-shot, the memory
 * bank as initializers), calibrated on a calibration set run through ONNX Runtime, checked against the
 * DJL model it came from, then moved into place with its manifest. Nothing is left at the target when
 * any step fails.
 */
public final class PackageExporter {
    /** Largest difference allowed between the exported fp32 graph and the DJL model on the check images. */
    public static final double VERIFY_TOLERANCE = 1e-4;
    /**
     * The same for an fp16 graph: float16 keeps about 3 decimal digits, and the maps are sums of up to
     * one probability or distance per level.
     */
    public static final double VERIFY_TOLERANCE_FP16 = 1e-2;

    /**
     * What to export; {@code precision} picks the graph's numeric precision and {@code layerNorm} how
     * it writes layer normalisation (fp32 and fused when not given).
     */
    public record Request(MvfaModel model, ObjectInfo object, List<Sample> normalShots, int shot, int iterate,
            long seed, String calibrationSource, List<Sample> calibrationSet, Double targetSensitivity, Path out,
            Map<String, Path> sources, int batch, Precision precision, LayerNormStyle layerNorm) {
        public Request {
            if (precision == null || layerNorm == null) {
                throw new IllegalArgumentException("precision and layer-norm style must be given (e.g. Precision.FP32, "
                        + "LayerNormStyle.FUSED)");
            }
        }

        /** An export with fused LayerNormalization. */
        public Request(MvfaModel model, ObjectInfo object, List<Sample> normalShots, int shot, int iterate, long seed,
                String calibrationSource, List<Sample> calibrationSet, Double targetSensitivity, Path out,
                Map<String, Path> sources, int batch, Precision precision) {
            this(model, object, normalShots, shot, iterate, seed, calibrationSource, calibrationSet, targetSensitivity,
                    out, sources, batch, precision, LayerNormStyle.FUSED);
        }

        /** An fp32 export. */
        public Request(MvfaModel model, ObjectInfo object, List<Sample> normalShots, int shot, int iterate, long seed,
                String calibrationSource, List<Sample> calibrationSet, Double targetSensitivity, Path out,
                Map<String, Path> sources, int batch) {
            this(model, object, normalShots, shot, iterate, seed, calibrationSource, calibrationSet, targetSensitivity,
                    out, sources, batch, Precision.FP32, LayerNormStyle.FUSED);
        }
    }

    /** The largest difference to the DJL model an exported graph of that precision may show. */
    public static double verifyTolerance(Precision precision) {
        return precision == Precision.FP16 ? VERIFY_TOLERANCE_FP16 : VERIFY_TOLERANCE;
    }

    /** The result: the package and what the check measured. */
    public record Result(ModelPackage pkg, double maxDifference, int checkedImages, double seconds) {
    }

    private PackageExporter() {
    }

    public static Result export(Request r) throws IOException {
        long t0 = System.nanoTime();
        MvfaModel model = r.model();
        int s = model.settings().imageSize();
        boolean few = r.normalShots() != null;
        ClipConfig clip = model.clipConfig();
        Path work = Files.createTempDirectory(createParent(r.out()), ".export-");
        MemoryBank bank = null;
        try {
            List<float[]> support = few ? Sample.preprocessed(r.normalShots(), s) : List.of();
            bank = few ? model.memoryBank(support, r.batch()) : null;
            TextFeatures text = model.textFeatures(r.object());
            HostTensor textTensor = HostTensor.ofFloats(new long[] {text.embedDim(), 2}, text.data());
            ExportOptions options = new ExportOptions(s, model.settings().features(), model.settings().activation(),
                    textTensor, few ? MemoryBankRows.of(bank) : null, true);
            Path graph = work.resolve("model.onnx");
            ModelProto onnx = OnnxModelWriter.model(OnnxModelWriter.visualWeightsFor(model.clipWeights(), s),
                    model.adapterWeights(), options);
            if (r.precision() == Precision.FP16) {
                onnx = HalfPrecisionGraph.convert(onnx);
            }
            if (r.layerNorm() == LayerNormStyle.DECOMPOSED) {
                // After the precision pass, which keeps LayerNormalization nodes in float32 by their type.
                onnx = LayerNormDecomposition.apply(onnx);
            }
            OnnxModelFiles.write(onnx, graph, ExternalDataPolicy.automatic());
            onnx = null; // up to a gigabyte of weights: let it go before ONNX Runtime loads its own copy
            Path data = OnnxModelFiles.dataFileFor(graph);
            boolean external = Files.isRegularFile(data);

            Manifest.Calibration calibration;
            double maxDiff;
            int checked;
            try (OnnxRawScorer ort = OnnxRawScorer.cpu(graph, s)) {
                DjlRawScorer djl = new DjlRawScorer(model, r.object(), bank);
                // The check: the exported graph must reproduce the DJL model on real images.
                List<Sample> checkSet = r.calibrationSet() != null && !r.calibrationSet().isEmpty() ? r.calibrationSet()
                        : r.normalShots();
                float[] check = checkSet == null || checkSet.isEmpty() ? syntheticImage(s)
                        : Sample.preprocessed(checkSet.subList(0, 1), s).get(0);
                checked = 1;
                maxDiff = maxDifference(ort.score(check, 1), djl.score(check, 1));
                double tolerance = verifyTolerance(r.precision());
                if (!(maxDiff <= tolerance)) {
                    throw new IllegalStateException("the exported " + r.precision().id() + " graph differs from the "
                            + "trained model by " + maxDiff + " (over " + tolerance + "); the export was not written");
                }
                calibration = calibrate(r, ort, few, clip);
            }
            Manifest manifest = manifest(r, few, clip, calibration, bank, external);
            ModelPackage pkg = ModelPackage.write(r.out(), manifest, graph, external ? data : null);
            return new Result(pkg, maxDiff, checked, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (bank != null) {
                bank.close();
            }
            AtomicFiles.deleteTree(work);
        }
    }

    private static Path createParent(Path out) throws IOException {
        Path p = out.toAbsolutePath().getParent();
        Files.createDirectories(p);
        return p;
    }

    private static Manifest.Calibration calibrate(Request r, OnnxRawScorer ort, boolean few, ClipConfig clip) {
        int levels = r.model().settings().features().length;
        boolean masks = r.object().hasMasks();
        if (r.calibrationSet() == null || r.calibrationSet().isEmpty()) {
            return Calibrator.uncalibrated(few, masks, levels);
        }
        Calibrator c = new Calibrator(few, masks, levels);
        int s = ort.imageSize();
        ImageDecoder decoder = new ImageDecoder();
        Preprocessor pre = new Preprocessor(s);
        List<Sample> set = r.calibrationSet();
        for (int from = 0; from < set.size(); from += r.batch()) {
            int b = Math.min(r.batch(), set.size() - from);
            float[] images = new float[b * 3 * s * s];
            int[] labels = new int[b];
            for (int i = 0; i < b; i++) {
                pre.image(decoder.decode(set.get(from + i).image()), images, i * 3 * s * s);
                labels[i] = set.get(from + i).label();
            }
            c.add(ort.score(images, b), labels);
        }
        return c.fit(r.calibrationSource(), r.targetSensitivity());
    }

    private static Manifest manifest(Request r, boolean few, ClipConfig clip, Manifest.Calibration calibration,
            MemoryBank bank, boolean external) throws IOException {
        MvfaModel model = r.model();
        int s = model.settings().imageSize();
        int grid = model.grid();
        int[] features = model.settings().features();
        int levels = features.length;
        int bottleneck = model.vision().bottleneck();
        String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String protocol = few ? "few-shot" : "zero-shot";
        String id = r.object().name() + "-" + protocol + (few ? "-k" + r.shot() : "") + "-"
                + created.replace(":", "").replace("-", "");
        List<String> support = new ArrayList<>();
        if (few) {
            r.normalShots().forEach(x -> support.add(x.fileName()));
        }
        List<Manifest.Tensor> outputs = new ArrayList<>();
        outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", s, s)));
        outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N")));
        if (few) {
            outputs.add(new Manifest.Tensor(MvfaGraphNames.FEW_MAP, "float32", List.of("N", s, s)));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.FEW_SCORE, "float32", List.of("N")));
        }
        for (int k = 0; k < levels; k++) {
            outputs.add(new Manifest.Tensor(MvfaGraphNames.segTokens(k), "float32", List.of("N", 1 + grid * grid, bottleneck)));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.detTokens(k), "float32", List.of("N", 1 + grid * grid, bottleneck)));
        }
        Map<String, Manifest.SourceFile> sources = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : r.sources().entrySet()) {
            if (e.getValue() != null) {
                sources.put(e.getKey(), new Manifest.SourceFile(e.getValue().getFileName().toString(), Sha256.of(e.getValue())));
            }
        }
        return new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, id, created, "MVFA-Edge 0.1.0 trainer",
                new Manifest.ObjectSpec(r.object().name(), r.object().realName(), r.object().hasMasks()),
                new Manifest.Mode(protocol, few ? r.shot() : 0, few ? r.iterate() : 0, r.seed(), support,
                        bank == null ? 0 : bank.size(org.mvfaedge.trainer.heads.TokenBranch.SEG, 0)),
                new Manifest.Model("model.onnx", null, external ? "model.onnx.data" : null, null, 17, r.precision().id(), s,
                        clip.patchSize(), grid, clip.visionWidth(), clip.visionLayers(),
                        Arrays.stream(features).boxed().toList(), bottleneck, model.settings().activation().id()),
                new Manifest.Preprocessing("pil-bicubic", s, 1 / 255.0, "none", "RGB", "NCHW"),
                List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, s, s))), outputs, sources,
                calibration);
    }

    private static float[] syntheticImage(int s) {
        float[] img = new float[3 * s * s];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < img.length; i++) {
            img[i] = rnd.nextFloat();
        }
        return img;
    }

    static double maxDifference(RawOutputs a, RawOutputs b) {
        double m = diff(a.zeroMap(), b.zeroMap());
        m = Math.max(m, diff(a.zeroScore(), b.zeroScore()));
        if (a.fewMap() != null && b.fewMap() != null) {
            m = Math.max(m, diff(a.fewMap(), b.fewMap()));
            m = Math.max(m, diff(a.fewScore(), b.fewScore()));
        }
        return m;
    }

    private static double diff(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, d);
        }
        return m;
    }

}
