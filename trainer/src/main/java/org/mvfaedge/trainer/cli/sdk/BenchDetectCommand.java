package org.mvfaedge.trainer.cli.sdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.bench.DetectBenchmark;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import picocli.CommandLine.Command;
import org.mvfaedge.trainer.cli.ModelShapeOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-detect --arch NAME | --clip FILE --bpe FILE}: makes a zero-shot package of random (or
 * the given CLIP's) weights with freshly initialised adapters, uncalibrated, then times the SDK on it
 * with the same loops as the edge's {@code bench}. The timings do not depend on the weights' values,
 * and real adapters cannot be bundled. Timing an existing package ({@code --model}) is the edge's
 * {@code mvfa-edge bench}, to which {@code ./mvfa bench-detect --model} is handed.
 */
@Command(name = "bench-detect", mixinStandardHelpOptions = true,
        description = "Make a package of random weights (--arch, or --clip/--bpe) and time the SDK on it (JSON lines).")
public final class BenchDetectCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--clip", paramLabel = "FILE", description = "CLIP weights: make a zero-shot package with random adapters.")
    Path clip;

    @Option(names = "--bpe", paramLabel = "FILE", description = "BPE merges (with --clip).")
    Path bpe;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "Make a package of this CLIP architecture (e.g. ViT-B-16) with random weights, without DJL.")
    String arch;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--package-out", paramLabel = "DIR", defaultValue = "build/bench-package",
            description = "Where the package is written (default ${DEFAULT-VALUE}); its parent folder is created.")
    Path packageOut;

    @Option(names = "--input", defaultValue = "512x512", description = "Synthetic input image WxH (default ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--preprocess-inputs", split = ",", defaultValue = "512x512,2048x2048",
            description = "Input sizes of the preprocessing benchmark (default ${DEFAULT-VALUE}).")
    List<String> preprocessInputs;

    @Option(names = "--batches", split = ",", defaultValue = "1,4,8", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--images", defaultValue = "24", description = "Images timed per batch size (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--warmup", defaultValue = "2", description = "Warm-up calls per batch size (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--providers", split = ",", paramLabel = "NAME",
            description = "Execution providers in order of preference (default: those the ONNX Runtime build offers).")
    List<String> providers;

    @Option(names = "--cpu-threads", defaultValue = "0", description = "CPU intra-op threads; 0: one per core.")
    int cpuThreads;

    @Option(names = "--model", hidden = true, paramLabel = "DIR")
    Path model;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (model != null) {
            throw new IllegalArgumentException("timing an existing package is the edge's command: ./mvfa bench-detect --model "
                    + model + " (the launcher hands it over), or mvfa-edge bench --model " + model);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path pkg = makePackage();
        for (String size : preprocessInputs) {
            out.println(JSON.writeValueAsString(DetectBenchmark.preprocess(size, shape.imgSize)));
            out.flush();
        }
        int[] wh = DetectBenchmark.parseSize(input);
        byte[] png = DetectBenchmark.syntheticPng(wh[0], wh[1], 1);
        DetectorOptions.Builder b = DetectorOptions.builder().cpuThreads(cpuThreads)
                .maxBatch(Arrays.stream(batches).max().orElse(1)); // every batch size runs as one ONNX Runtime call
        if (providers != null && !providers.isEmpty()) {
            b.providers(providers.stream().map(BenchDetectCommand::provider).toList());
        }
        try (AnomalyDetector d = AnomalyDetector.open(pkg, b.build())) {
            for (int batch : batches) {
                out.println(JSON.writeValueAsString(DetectBenchmark.detect(d, png, input, batch, warmup, images)));
                out.flush();
            }
        }
        return 0;
    }

    private static ExecutionProvider provider(String name) {
        try {
            return ExecutionProvider.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not an execution provider; use "
                    + Arrays.toString(ExecutionProvider.values()), e);
        }
    }

    private Path makePackage() throws IOException {
        // A fresh clone has no build/ folder: make the package's parent, and name what failed if that fails.
        Path parent = packageOut.toAbsolutePath().getParent();
        try {
            java.nio.file.Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException("cannot create the folder " + parent + " for the benchmark package (--package-out): "
                    + e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        if (arch != null) {
            long t0 = System.nanoTime();
            Path p = RandomPackage.write(ClipConfig.named(arch), shape.imgSize, shape.features, 1, packageOut).dir();
            err.printf("bench-detect: made %s (%s, random weights) in %.1f s%n", p, arch, (System.nanoTime() - t0) / 1e9);
            err.flush();
            return p;
        }
        if (clip == null || bpe == null) {
            throw new IllegalArgumentException("give --arch NAME, or --clip FILE and --bpe FILE to make a package "
                    + "(an existing package: --model DIR)");
        }
        MvfaSettings settings = new MvfaSettings(clip, bpe, PromptConfig.builtIn(), shape.imgSize, shape.features, Activation.GELU,
                null);
        long t0 = System.nanoTime();
        try (MvfaModel m = MvfaModel.create(settings, ClipWeights.load(clip), null)) {
            PackageExporter.Result r = PackageExporter.export(new PackageExporter.Request(m, m.promptConfig().object("Brain"),
                    null, 0, 0, 0, "none", List.of(), null, packageOut, Map.of("clip", clip), 1));
            err.printf("bench-detect: made %s in %.1f s (random adapters, export check %.1e)%n", r.pkg().dir(),
                    (System.nanoTime() - t0) / 1e9, r.maxDifference());
            err.flush();
            return r.pkg().dir();
        }
    }
}
