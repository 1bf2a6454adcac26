package org.mvfaedge.trainer.cli.sdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-detect}: times the SDK. A plain benchmark (warm-up, then timed repetitions; JMH is
 * not in the offline Maven repository): the preprocessing alone (decoded image to tensor) per input
 * size, then whole {@code detectAll} calls of encoded PNGs per batch size, with per-image latency,
 * images per second and the share of the time spent outside inference. One JSON line per figure.
 *
 * <p>With {@code --clip} instead of {@code --model}, it first makes a zero-shot package from those
 * CLIP weights with freshly initialised (random) adapters, uncalibrated: the timings do not depend
 * on the weights' values, and real adapters cannot be bundled.
 */
@Command(name = "bench-detect", mixinStandardHelpOptions = true,
        description = "Time the SDK: preprocessing, and whole detect calls per batch size (JSON lines).")
public final class BenchDetectCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", paramLabel = "DIR", description = "Model package to time.")
    Path model;

    @Option(names = "--clip", paramLabel = "FILE", description = "CLIP weights: make a zero-shot package with random adapters.")
    Path clip;

    @Option(names = "--bpe", paramLabel = "FILE", description = "BPE merges (with --clip).")
    Path bpe;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "Make a package of this CLIP architecture (e.g. ViT-B-16) with random weights, without DJL.")
    String arch;

    @Option(names = {"--img-size", "--img_size"}, defaultValue = "240", description = "Model image side with --clip (default ${DEFAULT-VALUE}).")
    int imgSize;

    @Option(names = {"--features", "--features_list"}, split = ",", defaultValue = "6,12,18,24",
            description = "Adapter layers with --clip (default ${DEFAULT-VALUE}; 3,6,9,12 for ViT-B).")
    int[] features;

    @Option(names = "--package-out", paramLabel = "DIR", defaultValue = "build/bench-package",
            description = "Where --clip writes its package (default ${DEFAULT-VALUE}).")
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

    @Mixin
    DetectorOptionsMixin detectorOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path pkg = model != null ? model : makePackage();
        for (String size : preprocessInputs) {
            out.println(JSON.writeValueAsString(preprocess(size)));
            out.flush();
        }
        int[] wh = parse(input);
        byte[] png = png(wh[0], wh[1], 1);
        // Every batch size must run as one ONNX Runtime call.
        detectorOptions.maxBatch = Math.max(detectorOptions.maxBatch, java.util.Arrays.stream(batches).max().orElse(1));
        try (AnomalyDetector d = AnomalyDetector.open(pkg, detectorOptions.toOptions())) {
            for (int b : batches) {
                out.println(JSON.writeValueAsString(whole(d, png, b, wh)));
                out.flush();
            }
        }
        return 0;
    }

    private Path makePackage() throws IOException {
        if (arch != null) {
            long t0 = System.nanoTime();
            Path p = RandomPackage.write(org.mvfaedge.trainer.weights.ClipConfig.named(arch), imgSize, features, 1,
                    packageOut).dir();
            PrintWriter err = spec.commandLine().getErr();
            err.printf("bench-detect: made %s (%s, random weights) in %.1f s%n", p, arch, (System.nanoTime() - t0) / 1e9);
            err.flush();
            return p;
        }
        if (clip == null || bpe == null) {
            throw new IllegalArgumentException("give --model DIR, --arch NAME, or --clip FILE and --bpe FILE to make a package");
        }
        MvfaSettings settings = new MvfaSettings(clip, bpe, PromptConfig.builtIn(), imgSize, features, Activation.GELU,
                null);
        long t0 = System.nanoTime();
        try (MvfaModel m = MvfaModel.create(settings, ClipWeights.load(clip), null)) {
            PackageExporter.Result r = PackageExporter.export(new PackageExporter.Request(m, m.promptConfig().object("Brain"),
                    null, 0, 0, 0, "none", List.of(), null, packageOut, Map.of("clip", clip), 1));
            PrintWriter err = spec.commandLine().getErr();
            err.printf("bench-detect: made %s in %.1f s (random adapters, export check %.1e)%n", r.pkg().dir(),
                    (System.nanoTime() - t0) / 1e9, r.maxDifference());
            err.flush();
            return r.pkg().dir();
        }
    }

    /** Preprocessing alone: decoded RGB of {@code size} to the model's tensor, reused buffers. */
    private ObjectNode preprocess(String size) {
        int[] wh = parse(size);
        RgbImage img = new ImageDecoder().decode(png(wh[0], wh[1], 2));
        Preprocessor pre = new Preprocessor(imgSize(model));
        float[] tensor = new float[pre.imageLength()];
        for (int i = 0; i < 20; i++) {
            pre.image(img, tensor, 0);
        }
        int n = 0;
        long t0 = System.nanoTime();
        long end = t0 + 2_000_000_000L;
        while (System.nanoTime() < end) {
            pre.image(img, tensor, 0);
            n++;
        }
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", "preprocess");
        o.put("input", size);
        o.put("model_size", pre.size());
        o.put("ops", n);
        o.put("ms_per_image", round(ms));
        return o;
    }

    private int imgSize(Path pkgOrNull) {
        return pkgOrNull == null ? imgSize : org.mvfaedge.sdk.pkg.ModelPackage.open(pkgOrNull).manifest().model().imgSize();
    }

    private ObjectNode whole(AnomalyDetector d, byte[] png, int b, int[] wh) {
        List<ImageInput> in = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            in.add(ImageInput.of(png));
        }
        for (int i = 0; i < warmup; i++) {
            d.detectAll(in);
        }
        int calls = Math.max(1, images / b);
        double decode = 0;
        double pre = 0;
        double infer = 0;
        double post = 0;
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
            for (Detection r : d.detectAll(in)) {
                decode += r.timings().decodeMs();
                pre += r.timings().preprocessMs();
                infer += r.timings().inferenceMs();
                post += r.timings().postprocessMs();
            }
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        int n = calls * b;
        double stages = decode + pre + infer + post;
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", "detect");
        o.put("provider", d.executionProvider().name());
        o.put("model_size", d.imageSize());
        o.put("input", wh[0] + "x" + wh[1]);
        o.put("batch", b);
        o.put("images", n);
        o.put("ms_per_image", round(wallMs / n));
        o.put("images_per_s", round(n / (wallMs / 1e3)));
        o.put("decode_ms", round(decode / n));
        o.put("preprocess_ms", round(pre / n));
        o.put("inference_ms", round(infer / n));
        o.put("postprocess_ms", round(post / n));
        o.put("outside_inference_share", round((stages - infer) / stages));
        o.put("cores", Runtime.getRuntime().availableProcessors());
        return o;
    }

    private static int[] parse(String wh) {
        String[] p = wh.toLowerCase(java.util.Locale.ROOT).split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("image size '" + wh + "' is not WxH");
        }
        return new int[] {Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip())};
    }

    /** A smooth synthetic scan-like grey image with noise, as PNG bytes. */
    static byte[] png(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(seed);
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 128 + 60 * Math.sin(x * 0.02) * Math.cos(y * 0.015) + r.nextGaussian() * 10;
                px[y * w + x] = (byte) Math.max(0, Math.min(255, (int) v));
            }
        }
        img.getRaster().setDataElements(0, 0, w, h, px);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Runs the benchmark without the launcher: {@code java -cp ... BenchDetectCommand --model DIR}. */
    public static void main(String[] args) {
        picocli.CommandLine cl = new picocli.CommandLine(new BenchDetectCommand());
        System.exit(cl.execute(args));
    }
}
