package org.mvfaedge.sdk.pkg;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;

/**
 * The one place a {@link Manifest} is assembled: the trainer's exporter and benchmark packages, and the SDK's
 * enrollment, which derives a new package's manifest from the one it started from. What every MVFA package
 * shares (graph file name, opset, preprocessing, the graph's input and outputs, the id's and the creation
 * time's format) is decided here; the callers give what is theirs. {@link ModelPackage#write} then adds the
 * files' hashes.
 */
public final class ManifestBuilder {
    /** The graph's file name inside a package. */
    public static final String MODEL_FILE = "model.onnx";
    /** Opset of the default ONNX domain the exporter writes. */
    public static final int OPSET = 17;

    private String modelId;
    private String created;
    private String producer;
    private Manifest.ObjectSpec object;
    private Manifest.Mode mode;
    private Manifest.Model model;
    private Manifest.Preprocessing preprocessing;
    private List<Manifest.Tensor> inputs;
    private List<Manifest.Tensor> outputs;
    private Map<String, Manifest.SourceFile> sources = Map.of();
    private Manifest.Calibration calibration;

    private ManifestBuilder() {
    }

    /** A new package's manifest, created now by {@code producer}. */
    public static ManifestBuilder create(String producer) {
        ManifestBuilder b = new ManifestBuilder();
        b.producer = Objects.requireNonNull(producer, "producer");
        b.created = now();
        return b;
    }

    /**
     * A manifest derived from {@code m} (a package made from another, such as an enrollment): every field
     * copied, then created now by {@code producer}, with the file hashes cleared for {@link ModelPackage#write}
     * to fill in again.
     */
    public static ManifestBuilder derivedFrom(Manifest m, String producer) {
        ManifestBuilder b = create(producer);
        b.modelId = m.modelId();
        b.object = m.object();
        b.mode = m.mode();
        b.model = m.model();
        b.preprocessing = m.preprocessing();
        b.inputs = m.inputs();
        b.outputs = m.outputs();
        b.sources = m.sources();
        b.calibration = m.calibration();
        return b.externalData(m.model().externalData());
    }

    /** The creation time, ISO-8601 in UTC to the second (what {@code created} holds). */
    public String created() {
        return created;
    }

    /** The id: {@code prefix} and the creation time without separators, e.g. {@code Brain-few-shot-k4-20260102T030405Z}. */
    public ManifestBuilder idWithTime(String prefix) {
        this.modelId = prefix + "-" + created.replace(":", "").replace("-", "");
        return this;
    }

    public ManifestBuilder id(String id) {
        this.modelId = Objects.requireNonNull(id, "id");
        return this;
    }

    public ManifestBuilder object(String name, String realName, boolean hasMasks) {
        this.object = new Manifest.ObjectSpec(name, realName, hasMasks);
        return this;
    }

    public ManifestBuilder mode(Manifest.Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * The MVFA graph of a package: its geometry and precision, the input {@code image} at the model's side with
     * the paper's preprocessing (PIL-compatible bicubic, /255, no mean/std, RGB, NCHW), and the raw outputs the
     * SDK reads: the zero-shot map and score, the few-shot ones when {@code few}, and, when {@code withTokens},
     * the seg/det tokens of every level (what enrollment needs). Hashes are left to {@link ModelPackage#write}.
     */
    public ManifestBuilder mvfaGraph(String precision, int imgSize, int patch, int grid, int width, int layers,
            List<Integer> features, int bottleneck, String activation, boolean few, boolean withTokens) {
        this.model = new Manifest.Model(MODEL_FILE, null, null, null, OPSET, precision, imgSize, patch, grid, width,
                layers, List.copyOf(features), bottleneck, activation);
        this.preprocessing = new Manifest.Preprocessing("pil-bicubic", imgSize, 1 / 255.0, "none", "RGB", "NCHW");
        this.inputs = List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, imgSize, imgSize)));
        List<Manifest.Tensor> out = new ArrayList<>();
        out.add(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", imgSize, imgSize)));
        out.add(new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N")));
        if (few) {
            out.add(new Manifest.Tensor(MvfaGraphNames.FEW_MAP, "float32", List.of("N", imgSize, imgSize)));
            out.add(new Manifest.Tensor(MvfaGraphNames.FEW_SCORE, "float32", List.of("N")));
        }
        if (withTokens) {
            for (int k = 0; k < features.size(); k++) {
                List<Object> shape = List.of("N", 1 + grid * grid, bottleneck);
                out.add(new Manifest.Tensor(MvfaGraphNames.segTokens(k), "float32", shape));
                out.add(new Manifest.Tensor(MvfaGraphNames.detTokens(k), "float32", shape));
            }
        }
        this.outputs = List.copyOf(out);
        return this;
    }

    /**
     * Whether the graph keeps its large tensors in an external data file ({@code model.onnx.data}) beside it;
     * the file hashes are cleared, for {@link ModelPackage#write} to compute.
     */
    public ManifestBuilder externalData(boolean external) {
        Objects.requireNonNull(model, "the graph comes first (mvfaGraph, or derivedFrom)");
        return externalData(external ? model.file() + ".data" : null);
    }

    private ManifestBuilder externalData(String dataFile) {
        Manifest.Model m = Objects.requireNonNull(model, "the graph comes first (mvfaGraph, or derivedFrom)");
        this.model = new Manifest.Model(m.file(), null, dataFile, null, m.opset(), m.precision(), m.imgSize(), m.patch(),
                m.grid(), m.width(), m.layers(), m.features(), m.bottleneck(), m.activation());
        return this;
    }

    /** The files the package was made from, by role ({@code clip}, {@code adapters}, ...); null paths are left out. */
    public ManifestBuilder sources(Map<String, Path> files) throws IOException {
        Map<String, Manifest.SourceFile> s = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            if (e.getValue() != null) {
                s.put(e.getKey(), new Manifest.SourceFile(e.getValue().getFileName().toString(), Sha256.of(e.getValue())));
            }
        }
        this.sources = s;
        return this;
    }

    public ManifestBuilder calibration(Manifest.Calibration calibration) {
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        return this;
    }

    public Manifest build() {
        for (Object[] f : new Object[][] {{"id", modelId}, {"object", object}, {"mode", mode}, {"graph", model},
            {"calibration", calibration}}) {
            if (f[1] == null) {
                throw new IllegalStateException("the manifest's " + f[0] + " was not given");
            }
        }
        return new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, modelId, created, producer, object, mode, model,
                preprocessing, inputs, outputs, sources, calibration);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
