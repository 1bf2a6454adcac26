package org.mvfaedge.sdk.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * The SDK's timing loops, shared by the edge's {@code bench} and the trainer's {@code bench-detect}
 * (which first makes a package of random weights): a plain benchmark (warm-up, then timed
 * repetitions; JMH is not in the offline Maven repository) of the preprocessing alone per input size
 * and of whole {@code detectAll} calls per batch size. Each figure is one JSON object.
 */
public final class DetectBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DetectBenchmark() {
    }

    /** Preprocessing alone: a decoded synthetic RGB image of {@code size} (WxH) to a model tensor of side {@code modelSize}. */
    public static ObjectNode preprocess(String size, int modelSize) {
        int[] wh = parseSize(size);
        RgbImage img = new ImageDecoder().decode(syntheticPng(wh[0], wh[1], 2));
        Preprocessor pre = new Preprocessor(modelSize);
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

    /** Whole {@code detectAll} calls of {@code batch} copies of {@code png}: per-image latency, images/s, stage shares. */
    public static ObjectNode detect(AnomalyDetector d, byte[] png, String input, int batch, int warmup, int images) {
        List<ImageInput> in = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            in.add(ImageInput.of(png));
        }
        for (int i = 0; i < warmup; i++) {
            d.detectAll(in);
        }
        int calls = Math.max(1, images / batch);
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
        int n = calls * batch;
        double stages = decode + pre + infer + post;
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", "detect");
        o.put("provider", d.executionProvider().name());
        o.put("model_size", d.imageSize());
        o.put("input", input);
        o.put("batch", batch);
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

    /**
     * The whole benchmark of a package, as both command lines run it: the preprocessing alone for each of
     * {@code preprocessInputs} (sizes {@code WxH}), then {@code detectAll} calls of a synthetic PNG of size
     * {@code input} for each batch size, each batch one ONNX Runtime call ({@code options}' batch limit is
     * raised to the largest batch). Each figure goes to {@code out} as it is measured.
     */
    public static void run(Path pkg, DetectorOptions.Builder options, List<String> preprocessInputs, String input,
            int[] batches, int warmup, int images, Consumer<ObjectNode> out) {
        int modelSize = ModelPackage.open(pkg).manifest().model().imgSize();
        for (String size : preprocessInputs) {
            out.accept(preprocess(size, modelSize));
        }
        int[] wh = parseSize(input);
        byte[] png = syntheticPng(wh[0], wh[1], 1);
        int largest = java.util.Arrays.stream(batches).max().orElse(1);
        try (AnomalyDetector d = AnomalyDetector.open(pkg, options.maxBatch(Math.max(largest, 1)).build())) {
            for (int b : batches) {
                out.accept(detect(d, png, input, b, warmup, images));
            }
        }
    }

    /** "512x512" as {width, height}. */
    public static int[] parseSize(String wh) {
        String[] p = wh.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("image size '" + wh + "' is not WxH");
        }
        try {
            return new int[] {Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image size '" + wh + "' is not WxH", e);
        }
    }

    /** A smooth synthetic scan-like grey image with noise, as PNG bytes. */
    public static byte[] syntheticPng(int w, int h, long seed) {
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
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
