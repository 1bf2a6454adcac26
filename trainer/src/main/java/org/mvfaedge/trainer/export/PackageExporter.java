package org.mvfaedge.trainer.export;

import org.mvfaedge.sdk.util.AtomicFiles;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ManifestBuilder;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.DjlRawScorer;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
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
     * What to export. Made with {@link #builder}, not the positional constructor: the model, the object and the
     * target folder are required;
     * the rest says whether the package is few-shot (its normal shots, from which the memory bank is built)
     * and how it is calibrated, numbered and written. Unset, a request is zero-shot, uncalibrated, fp32 with
     * fused LayerNormalization, batch 8, with no source files recorded.
     */
    public record Request(MvfaModel model, ObjectInfo object, Path out, List<Sample> normalShots, int shot,
            int iterate, long seed, String calibrationSource, List<Sample> calibrationSet, Double targetSensitivity,
            Map<String, Path> sources, int batch, Precision precision, LayerNormStyle layerNorm) {
        /** A request for {@code model}'s package detecting {@code object}, written to the folder {@code out}. */
        public static Builder builder(MvfaModel model, ObjectInfo object, Path out) {
            return new Builder(model, object, out);
        }

        /** Builds a {@link Request}; every setter returns the builder. */
        public static final class Builder {
            private final MvfaModel model;
            private final ObjectInfo object;
            private final Path out;
            private List<Sample> normalShots;
            private int shot;
            private int iterate;
            private long seed = PaperDefaults.SEED;
            private String calibrationSource = "none";
            private List<Sample> calibrationSet = List.of();
            private Double targetSensitivity;
            private Map<String, Path> sources = Map.of();
            private int batch = 8;
            private Precision precision = Precision.FP32;
            private LayerNormStyle layerNorm = LayerNormStyle.FUSED;

            private Builder(MvfaModel model, ObjectInfo object, Path out) {
                this.model = java.util.Objects.requireNonNull(model, "model");
                this.object = java.util.Objects.requireNonNull(object, "object");
                this.out = java.util.Objects.requireNonNull(out, "out");
            }

            /**
             * A few-shot package: the memory bank of these normal shots (augmented as in training), recorded in the
             * manifest with the split that chose them ({@code shot} per class, split {@code iterate}, {@code seed}).
             */
            public Builder fewShot(List<Sample> normalShots, int shot, int iterate, long seed) {
                this.normalShots = java.util.Objects.requireNonNull(normalShots, "normalShots");
                this.shot = shot;
                this.iterate = iterate;
                this.seed = seed;
                return this;
            }

            /** Calibrates on {@code set} (images with labels), named {@code source} in the manifest ({@code valid}, {@code shots}). */
            public Builder calibration(String source, List<Sample> set) {
                this.calibrationSource = java.util.Objects.requireNonNull(source, "source");
                this.calibrationSet = java.util.Objects.requireNonNull(set, "set");
                return this;
            }

            /** The threshold reaching this sensitivity on the calibration set, instead of the best F1; null: best F1. */
            public Builder targetSensitivity(Double sensitivity) {
                this.targetSensitivity = sensitivity;
                return this;
            }

            /** The files the package came from (name to path; a null path is left out), hashed into the manifest. */
            public Builder sources(Map<String, Path> sources) {
                this.sources = java.util.Objects.requireNonNull(sources, "sources");
                return this;
            }

            /** Images per pass of the check and the calibration. */
            public Builder batch(int batch) {
                if (batch < 1) {
                    throw new IllegalArgumentException("batch must be at least 1, got " + batch);
                }
                this.batch = batch;
                return this;
            }

            public Builder precision(Precision precision) {
                this.precision = java.util.Objects.requireNonNull(precision, "precision");
                return this;
            }

            public Builder layerNorm(LayerNormStyle style) {
                this.layerNorm = java.util.Objects.requireNonNull(style, "layerNorm");
                return this;
            }

            public Request build() {
                // a LinkedHashMap, not Map.copyOf: the manifest lists the sources in the order given, and a
                // source may be absent (null: an option the user did not give)
                return new Request(model, object, out, normalShots == null ? null : List.copyOf(normalShots), shot,
                        iterate, seed, calibrationSource, List.copyOf(calibrationSet), targetSensitivity,
                        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources)), batch, precision, layerNorm);
            }
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
        String protocol = few ? "few-shot" : "zero-shot";
        List<String> support = new ArrayList<>();
        if (few) {
            r.normalShots().forEach(x -> support.add(x.fileName()));
        }
        return ManifestBuilder.create("MVFA-Edge 0.1.0 trainer")
                .idWithTime(r.object().name() + "-" + protocol + (few ? "-k" + r.shot() : ""))
                .object(r.object().name(), r.object().realName(), r.object().hasMasks())
                .mode(new Manifest.Mode(protocol, few ? r.shot() : 0, few ? r.iterate() : 0, r.seed(), support,
                        bank == null ? 0 : bank.size(org.mvfaedge.trainer.heads.TokenBranch.SEG, 0)))
                .mvfaGraph(r.precision().id(), model.settings().imageSize(), clip.patchSize(), model.grid(),
                        clip.visionWidth(), clip.visionLayers(), Arrays.stream(model.settings().features()).boxed().toList(),
                        model.vision().bottleneck(), model.settings().activation().id(), few, true)
                .externalData(external)
                .sources(r.sources())
                .calibration(calibration)
                .build();
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
