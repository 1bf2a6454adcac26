package org.mvfaedge.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.bench.DetectBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: times the SDK on a model package: the preprocessing alone (decoded image to tensor)
 * per input size, then whole {@code detectAll} calls of encoded PNGs per batch size, with per-image
 * latency, images per second and the share of the time spent outside inference. One JSON line per
 * figure. ({@code ./mvfa bench-detect --arch} makes a package of random weights first; that needs the
 * trainer's exporter and stays there.)
 */
@Command(name = "bench", aliases = "bench-detect", mixinStandardHelpOptions = true,
        description = "Time the SDK on a model package: preprocessing, and whole detect calls per batch size (JSON lines).")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model package to time.")
    Path model;

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

    @Mixin
    DetectorOptionsMixin detectorOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        // the detector options as given, but never fewer images per call than the largest batch timed
        DetectBenchmark.run(model, detectorOptions.toBuilder(), preprocessInputs, input, batches, warmup, images,
                figure -> {
                    out.println(figure.toString());
                    out.flush();
                });
        return 0;
    }
}
