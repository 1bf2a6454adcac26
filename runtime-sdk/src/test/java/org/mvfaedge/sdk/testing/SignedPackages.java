package org.mvfaedge.sdk.testing;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.calibration.ScoreCalibration;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxAttributes;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;

/**
 * A toy package with an external data file, for the signature tests: like {@link ToyPackages#channelMean}
 * (zero_map = mean of the channels, zero_score = its maximum) but the channels are first multiplied by a
 * per-channel weight of 1 held in {@code model.onnx.data}, so the package has all three kinds of file a
 * large export has (manifest, graph, external data) and a changed weight changes the scores.
 */
public final class SignedPackages {
    public static final String DATA_FILE = "model.onnx.data";

    private SignedPackages() {
    }

    public static ModelPackage withExternalData(Path dir, int size, double threshold) throws IOException {
        OnnxGraph g = new OnnxGraph("toy-weighted-channel-mean");
        String x = g.input(MvfaGraphNames.IMAGE, DataType.FLOAT, MvfaGraphNames.BATCH, 3, size, size);
        float[] ones = new float[3 * 256]; // 3 KiB, over the 1 KiB threshold below: it goes to the data file
        Arrays.fill(ones, 1f);
        String w = g.initializer("channel_weight", new long[] {3, 256, 1, 1}, ones);
        String wMean = g.op("ReduceMean", List.of(w), OnnxAttributes.ints("axes", 1), OnnxAttributes.i("keepdims", 0));
        String scaled = g.op("Mul", x, wMean);
        String map = g.op("ReduceMean", List.of(scaled), OnnxAttributes.ints("axes", 1), OnnxAttributes.i("keepdims", 0));
        g.rename(map, MvfaGraphNames.ZERO_MAP);
        String score = g.op("ReduceMax", List.of(MvfaGraphNames.ZERO_MAP), OnnxAttributes.ints("axes", 1, 2),
                OnnxAttributes.i("keepdims", 0));
        g.rename(score, MvfaGraphNames.ZERO_SCORE);
        g.output(MvfaGraphNames.ZERO_MAP, DataType.FLOAT, MvfaGraphNames.BATCH, size, size);
        g.output(MvfaGraphNames.ZERO_SCORE, DataType.FLOAT, MvfaGraphNames.BATCH);
        Path work = Files.createTempDirectory("toy-signed-package");
        Path model = work.resolve("model.onnx");
        OnnxModelFiles.write(g.toModel("test", "1", Map.of()), model, ExternalDataPolicy.always(1024));
        Path data = OnnxModelFiles.dataFileFor(model);
        if (!Files.isRegularFile(data)) {
            throw new IllegalStateException("the toy package was meant to have external data");
        }
        Manifest.Stats unit = new Manifest.Stats(0, 1, Double.NaN, Double.NaN, Double.NaN);
        Manifest m = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "toy-ext", "2026-01-01T00:00:00Z", "test",
                new Manifest.ObjectSpec("Toy", "toy", true),
                new Manifest.Mode("zero-shot", 0, 0, 0, List.of(), 0),
                new Manifest.Model("model.onnx", null, DATA_FILE, null, OnnxGraph.OPSET, "fp32", size, 1, size, 3, 1,
                        List.of(1), 3, "gelu"),
                new Manifest.Preprocessing("pil-bicubic", size, 1 / 255.0, "none", "RGB", "NCHW"),
                List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, size, size))),
                List.of(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", size, size)),
                        new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N"))),
                Map.of(), new Manifest.Calibration("none", 0, Map.of("zero_map", unit, "zero_score", unit),
                        ScoreCalibration.COMBINE_ZERO, ScoreCalibration.COMBINED_SCORES, threshold, "default", null,
                        null));
        try {
            return ModelPackage.write(dir, m, model, data);
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(data);
            Files.deleteIfExists(work);
        }
    }

    /** Flips the lowest bit of the byte at {@code offset} (negative: from the end). */
    public static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int i = (int) (offset < 0 ? b.length + offset : offset);
        b[i] ^= 1;
        Files.write(file, b);
    }

    /** Copies a package folder (flat) to a new folder. */
    public static Path copy(Path pkg, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(pkg)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
