package org.mvfaedge.trainer.cli.sdk;

import org.mvfaedge.sdk.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.trainer.export.ExportOptions;
import org.mvfaedge.trainer.export.OnnxModelWriter;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A zero-shot package of a named CLIP architecture with random weights, adapters and text features,
 * built without the DJL engine (host tensors straight into the ONNX writer): for benchmarks only,
 * where the values do not matter and a DJL forward pass of a real-sized model would cost gigabytes of
 * native memory for nothing. Uncalibrated; never a model to detect anything with.
 */
public final class RandomPackage {
    private RandomPackage() {
    }

    /** Writes the package to {@code out} and returns it. */
    public static ModelPackage write(ClipConfig config, int imgSize, int[] features, long seed, Path out)
            throws IOException {
        ClipWeights clip = new ClipWeights(Path.of("random-" + seed), config, new StateDict(Path.of("random"),
                RandomClip.create(config, seed)));
        StateDict visual = OnnxModelWriter.visualWeightsFor(clip, imgSize);
        int width = config.visionWidth();
        int bottleneck = config.embedDim();
        Random r = new Random(seed);
        Map<String, HostTensor> seg = new LinkedHashMap<>();
        Map<String, HostTensor> det = new LinkedHashMap<>();
        for (int k = 0; k < features.length; k++) {
            for (Map<String, HostTensor> branch : List.of(seg, det)) {
                branch.put(k + ".fc1.0.weight", gaussian(r, 0.02f, bottleneck, width));
                branch.put(k + ".fc2.0.weight", gaussian(r, 0.02f, width, bottleneck));
            }
        }
        AdapterWeights adapters = new AdapterWeights(new StateDict(Path.of("random"), seg),
                new StateDict(Path.of("random"), det));
        HostTensor text = gaussian(r, 1f, bottleneck, 2);
        ExportOptions options = new ExportOptions(imgSize, features, Activation.GELU, text, null, true);
        Path work = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".random-package-");
        try {
            Path graph = work.resolve("model.onnx");
            OnnxModelWriter.write(visual, adapters, options, graph, ExternalDataPolicy.automatic());
            Path data = OnnxModelFiles.dataFileFor(graph);
            boolean external = Files.isRegularFile(data);
            int grid = config.gridFor(imgSize);
            List<Manifest.Tensor> outputs = new ArrayList<>();
            outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", imgSize, imgSize)));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N")));
            Manifest m = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "benchmark-random-weights",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                    "MVFA-Edge bench-detect (random weights)", new Manifest.ObjectSpec("Brain", "brain", true),
                    new Manifest.Mode("zero-shot", 0, 0, seed, List.of(), 0),
                    new Manifest.Model("model.onnx", null, external ? "model.onnx.data" : null, null, 17, "fp32", imgSize,
                            config.patchSize(), grid, width, config.visionLayers(), Arrays.stream(features).boxed().toList(),
                            bottleneck, Activation.GELU.id()),
                    new Manifest.Preprocessing("pil-bicubic", imgSize, 1 / 255.0, "none", "RGB", "NCHW"),
                    List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, imgSize, imgSize))),
                    outputs, Map.of(), Calibrator.uncalibrated(false, true, features.length));
            return ModelPackage.write(out, m, graph, external ? data : null);
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }

    private static HostTensor gaussian(Random r, float std, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return HostTensor.ofFloats(new long[] {rows, cols}, v);
    }
}
