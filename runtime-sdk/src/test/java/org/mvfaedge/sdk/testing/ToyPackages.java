package org.mvfaedge.sdk.testing;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Tiny zero-shot packages whose outputs can be computed by hand, for tests of the detector's
 * plumbing without a trained model: {@code zero_map} is the mean of the three preprocessed channels
 * (so a white square on black gives a map of 1 inside and 0 outside), {@code zero_score} the map's
 * maximum. The calibration is the identity (min 0, max 1), so calibrated values equal raw values.
 */
public final class ToyPackages {
    private ToyPackages() {
    }

    /** Writes the toy package to {@code dir} with model size {@code size} and decision threshold {@code threshold}. */
    public static ModelPackage channelMean(Path dir, int size, double threshold) throws IOException {
        Path work = Files.createTempDirectory("toy-package");
        Path model = work.resolve("model.onnx");
        channelMeanGraph(model, size, false);
        Manifest.Stats unit = new Manifest.Stats(0, 1, Double.NaN, Double.NaN, Double.NaN);
        Manifest m = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "toy", "2026-01-01T00:00:00Z", "test",
                new Manifest.ObjectSpec("Toy", "toy", true),
                new Manifest.Mode("zero-shot", 0, 0, 0, List.of(), 0),
                new Manifest.Model("model.onnx", null, null, null, OnnxGraph.OPSET, "fp32", size, 1, size, 3, 1,
                        List.of(1), 3, "gelu"),
                new Manifest.Preprocessing("pil-bicubic", size, 1 / 255.0, "none", "RGB", "NCHW"),
                List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, size, size))),
                List.of(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", size, size)),
                        new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N"))),
                Map.of(), new Manifest.Calibration("none", 0, Map.of("zero_map", unit, "zero_score", unit),
                        ScoreCalibration.COMBINE_ZERO, ScoreCalibration.COMBINED_SCORES, threshold, "default", null,
                        null));
        try {
            ModelPackage written = ModelPackage.write(dir, m, model, null);
            ManifestSchema.assertValid(written.dir());
            return written;
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(work);
        }
    }

    /**
     * Writes the channel-mean graph to {@code model}: an MVFA graph by its names (input image, outputs
     * zero_map and zero_score; with {@code fewShot} also few_map and few_score, equal to the zero-shot
     * ones), so a package can be made around it without a trained model.
     */
    public static void channelMeanGraph(Path model, int size, boolean fewShot) {
        OnnxGraph g = new OnnxGraph("toy-channel-mean");
        String x = g.input(MvfaGraphNames.IMAGE, DataType.FLOAT, MvfaGraphNames.BATCH, 3, size, size);
        String map = g.op("ReduceMean", List.of(x), OnnxAttributes.ints("axes", 1), OnnxAttributes.i("keepdims", 0));
        g.rename(map, MvfaGraphNames.ZERO_MAP);
        String score = g.op("ReduceMax", List.of(MvfaGraphNames.ZERO_MAP), OnnxAttributes.ints("axes", 1, 2),
                OnnxAttributes.i("keepdims", 0));
        g.rename(score, MvfaGraphNames.ZERO_SCORE);
        g.output(MvfaGraphNames.ZERO_MAP, DataType.FLOAT, MvfaGraphNames.BATCH, size, size);
        g.output(MvfaGraphNames.ZERO_SCORE, DataType.FLOAT, MvfaGraphNames.BATCH);
        if (fewShot) {
            g.rename(g.op("Identity", MvfaGraphNames.ZERO_MAP), MvfaGraphNames.FEW_MAP);
            g.rename(g.op("Identity", MvfaGraphNames.ZERO_SCORE), MvfaGraphNames.FEW_SCORE);
            g.output(MvfaGraphNames.FEW_MAP, DataType.FLOAT, MvfaGraphNames.BATCH, size, size);
            g.output(MvfaGraphNames.FEW_SCORE, DataType.FLOAT, MvfaGraphNames.BATCH);
        }
        OnnxModelFiles.write(g.toModel("test", "1", Map.of()), model, ExternalDataPolicy.never());
    }
}
