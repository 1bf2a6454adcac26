package org.mvfaedge.trainer.bank;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.Enrollment;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.bank.CoresetSelector;
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxAttributes;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.trainer.demo.DemoData;
import org.mvfaedge.trainer.export.ExportOptions;
import org.mvfaedge.trainer.export.MemoryBankRows;
import org.mvfaedge.trainer.export.OnnxModelWriter;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The memory bank at scale, measured (a plain main class: timings on a shared machine are figures to
 * read, not assertions). It makes a few-shot package of a CLIP architecture with random weights (real
 * CLIP weights cannot be bundled; the cost does not depend on the values), whose bank is the tokens of
 * {@code --shots} generated brain slices, then enrols generated normal slices with no budget and with
 * {@link Enrollment#DEFAULT_BANK_BUDGET}, and prints per count of enrolled images: bank rows, package
 * size, enrollment time and heap, and ms per image of {@code detect}. Finally it times the exact
 * nearest-neighbour search as the graph does it (one Gemm + ReduceMax over the whole bank) against a
 * chunked search (Gemm + ReduceMax per chunk, then Max) on ONNX Runtime's CPU provider.
 *
 * <pre>
 * java -Xmx6g -cp ... org.mvfaedge.trainer.bank.BankBenchmark --arch ViT-B-16 --features 3,6,9,12 \
 *     [--layers N] [--counts 0,40,200] [--full-max 40] [--budget 4096] [--out build/bank-bench]
 * </pre>
 * {@code --layers} builds a shallower tower of the same width, patch and embedding (so the same token
 * count and bank width) when the full depth cannot enrol hundreds of images in the time available.
 */
public final class BankBenchmark {
    private static final DetectorOptions CPU = DetectorOptions.builder().providers(ExecutionProvider.CPU).build();

    private BankBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String arch = o.getOrDefault("arch", "ViT-B-16");
        int img = Integer.parseInt(o.getOrDefault("img-size", "240"));
        int[] features = ints(o.getOrDefault("features", "3,6,9,12"));
        int[] counts = ints(o.getOrDefault("counts", "0,40,200"));
        int fullMax = Integer.parseInt(o.getOrDefault("full-max", "40"));
        int budget = Integer.parseInt(o.getOrDefault("budget", Integer.toString(Enrollment.DEFAULT_BANK_BUDGET)));
        int shots = Integer.parseInt(o.getOrDefault("shots", "4"));
        int timed = Integer.parseInt(o.getOrDefault("timed", "4"));
        int[] searchRows = ints(o.getOrDefault("search-rows", "100000,200000"));
        boolean chain = Boolean.parseBoolean(o.getOrDefault("chain", "false"));
        List<String> modes = List.of(o.getOrDefault("modes", "full,budget").split(","));
        Path out = Path.of(o.getOrDefault("out", "build/bank-bench"));
        ClipConfig c = ClipConfig.named(arch);
        if (o.containsKey("layers")) {
            int layers = Integer.parseInt(o.get("layers"));
            c = new ClipConfig(c.embedDim(), c.imageSize(), layers, c.visionWidth(), c.patchSize(), c.visionHeads(),
                    c.contextLength(), c.vocabSize(), c.textWidth(), c.textHeads(), c.textLayers());
        }
        Files.createDirectories(out);
        int maxCount = Arrays.stream(counts).max().orElse(0);
        System.out.printf(Locale.ROOT, "bank-bench: %s (vision layers %d, width %d, patch %d, bank width %d) at %d px,"
                + " levels %s, %d shots; %d cores; max heap %d MB%n", arch, c.visionLayers(), c.visionWidth(),
                c.patchSize(), c.embedDim(), img, Arrays.toString(features), shots,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        DemoData.Counts brain = new DemoData.Counts(256, shots, 1, maxCount + 1, 1);
        DemoData.Counts chest = new DemoData.Counts(64, 1, 1, 1, 1);
        DemoData.Written data = DemoData.generate(out.resolve("images"), brain, chest, 1, 3, null);
        Path root = data.data().resolve(DemoData.BRAIN + "_AD");
        List<Path> shotFiles = list(root.resolve("valid/good/img")).subList(0, shots);
        List<Path> normals = list(root.resolve("test/good/img"));
        Path probe = normals.remove(normals.size() - 1); // never enrolled: the image detect is timed on

        long t0 = System.nanoTime();
        // --base DIR: a package this benchmark made before (same options), to skip making it again.
        Path base = o.containsKey("base") ? Path.of(o.get("base")) : fewShotPackage(c, img, features, shotFiles, out);
        ModelPackage bp = ModelPackage.open(base);
        long rowsPerImage = bp.manifest().mode().memoryBankRows() / shots;
        System.out.printf(Locale.ROOT, "few-shot package: %d rows per level (%d per image), %.1f MB, made in %.0f s%n",
                bp.manifest().mode().memoryBankRows(), rowsPerImage, size(base) / 1e6, (System.nanoTime() - t0) / 1e9);
        System.out.println("| bank | enrolled | rows / level | package MB | enroll s/image | heap peak MB (used / live"
                + " after GC) | bound MB | detect ms/image |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        List<double[]> budgetMs = new ArrayList<>();
        for (int mode = 0; mode < 2; mode++) {
            if (!modes.contains(mode == 0 ? "full" : "budget")) {
                continue;
            }
            int b = mode == 0 ? 0 : budget;
            String name = b == 0 ? "full" : "budget " + b;
            Path previous = base;
            int enrolled = 0;
            for (int n : counts) {
                Path pkg = base;
                double enrollS = Double.NaN;
                long[] heap = {0, 0};
                if (n > 0) {
                    if (b == 0 && n > fullMax) {
                        long rows = bp.manifest().mode().memoryBankRows() + n * rowsPerImage;
                        System.out.printf(Locale.ROOT, "| %s | %d | %d | (about %.0f) | skipped: the full bank would"
                                + " hold %.1f GB per package and need it on the heap | | | |%n", name, n, rows,
                                rows * c.embedDim() * 4.0 * 2 * features.length / 1e6,
                                rows * c.embedDim() * 4.0 * 2 * features.length / 1e9);
                        continue;
                    }
                    pkg = out.resolve((b == 0 ? "full-" : "budget-") + n);
                    HeapWatch w = HeapWatch.start();
                    long e0 = System.nanoTime();
                    // --chain true: from the previous count's package, with only the images it lacks.
                    int from = chain ? enrolled : 0;
                    try (AnomalyDetector d = AnomalyDetector.open(chain ? previous : base, CPU)) {
                        Enrollment e = Enrollment.of(d).bankBudget(b);
                        normals.subList(from, n).forEach(p -> e.addNormal(ImageInput.of(p)));
                        e.write(pkg);
                    }
                    enrollS = (System.nanoTime() - e0) / 1e9 / (n - from);
                    heap = w.stop();
                    previous = pkg;
                    enrolled = n;
                }
                Manifest.Mode m = ModelPackage.open(pkg).manifest().mode();
                double ms = detectMs(pkg, probe, timed);
                if (b > 0) {
                    budgetMs.add(new double[] {n, ms});
                }
                // Budget plus one reduction batch (2 x budget rows) and their projection, for every bank.
                double bound = b == 0 ? Double.NaN
                        : 2.0 * features.length * 2 * b * (c.embedDim() + CoresetSelector.DEFAULT_PROJECTION_DIMS) * 4 / 1e6;
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %s | %s | %s | %.0f |%n", name, n,
                        m.memoryBankRows(), size(pkg) / 1e6, Double.isNaN(enrollS) ? "" : String.format(Locale.ROOT,
                                "%.2f", enrollS), n == 0 ? "" : (heap[0] >> 20) + " / " + (heap[1] >> 20),
                        Double.isNaN(bound) || n == 0 ? "" : String.format(Locale.ROOT, "%.0f", bound), ms);
                System.out.flush();
            }
        }
        if (budgetMs.size() >= 2) {
            double[] first = budgetMs.get(0);
            double[] last = budgetMs.get(budgetMs.size() - 1);
            System.out.printf(Locale.ROOT, "with the budget: %.0f ms/image after %d images vs %.0f after %d: %.2fx%n",
                    last[1], (int) last[0], first[1], (int) first[0], last[1] / first[1]);
        }
        int searchReps = Integer.parseInt(o.getOrDefault("search-reps", "5"));
        for (int rows : searchRows) {
            if (rows > 0) {
                search(rows, c.embedDim(), c.gridFor(img) * c.gridFor(img), out, searchReps);
            }
        }
    }

    /** A few-shot package of random weights whose bank is the tokens of the shot images. */
    static Path fewShotPackage(ClipConfig config, int imgSize, int[] features, List<Path> shots, Path out)
            throws IOException {
        long seed = 1;
        ClipWeights clip = new ClipWeights(Path.of("random-" + seed), config, new StateDict(Path.of("random"),
                RandomClip.create(config, seed)));
        StateDict visual = OnnxModelWriter.visualWeightsFor(clip, imgSize);
        int width = config.visionWidth();
        int bottleneck = config.embedDim();
        Random r = new Random(seed);
        Map<String, HostTensor> seg = new LinkedHashMap<>();
        Map<String, HostTensor> det = new LinkedHashMap<>();
        List<HostTensor> placeholder = new ArrayList<>();
        for (int k = 0; k < features.length; k++) {
            for (Map<String, HostTensor> branch : List.of(seg, det)) {
                branch.put(k + ".fc1.0.weight", gaussian(r, 0.02f, bottleneck, width));
                branch.put(k + ".fc2.0.weight", gaussian(r, 0.02f, width, bottleneck));
            }
            placeholder.add(gaussian(r, 1f, 1, bottleneck));
        }
        AdapterWeights adapters = new AdapterWeights(new StateDict(Path.of("random"), seg),
                new StateDict(Path.of("random"), det));
        HostTensor text = gaussian(r, 1f, bottleneck, 2);
        // One placeholder row per bank: the shots' tokens replace it through the SDK's enrollment below.
        ExportOptions options = new ExportOptions(imgSize, features, Activation.GELU, text,
                new MemoryBankRows(placeholder, placeholder), true);
        Path work = Files.createTempDirectory(out.toAbsolutePath(), ".bank-bench-");
        Path placeholderPkg = out.resolve("placeholder");
        try {
            Path graph = work.resolve("model.onnx");
            OnnxModelWriter.write(visual, adapters, options, graph, ExternalDataPolicy.automatic());
            Path data = OnnxModelFiles.dataFileFor(graph);
            boolean external = Files.isRegularFile(data);
            int grid = config.gridFor(imgSize);
            List<Manifest.Tensor> outputs = new ArrayList<>();
            outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_MAP, "float32", List.of("N", imgSize, imgSize)));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.ZERO_SCORE, "float32", List.of("N")));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.FEW_MAP, "float32", List.of("N", imgSize, imgSize)));
            outputs.add(new Manifest.Tensor(MvfaGraphNames.FEW_SCORE, "float32", List.of("N")));
            Manifest m = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "bank-benchmark-random-weights",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                    "MVFA-Edge bank benchmark (random weights)", new Manifest.ObjectSpec("Brain", "brain", true),
                    new Manifest.Mode("few-shot", 1, 0, seed, List.of("placeholder"), 1),
                    new Manifest.Model("model.onnx", null, external ? "model.onnx.data" : null, null, 17, "fp32", imgSize,
                            config.patchSize(), grid, width, config.visionLayers(), Arrays.stream(features).boxed().toList(),
                            bottleneck, Activation.GELU.id()),
                    new Manifest.Preprocessing("pil-bicubic", imgSize, 1 / 255.0, "none", "RGB", "NCHW"),
                    List.of(new Manifest.Tensor(MvfaGraphNames.IMAGE, "float32", List.of("N", 3, imgSize, imgSize))),
                    outputs, Map.of(), Calibrator.uncalibrated(true, true, features.length));
            ModelPackage.write(placeholderPkg, m, graph, external ? data : null);
        } finally {
            deleteTree(work);
        }
        Path base = out.resolve("k" + shots.size());
        try (AnomalyDetector d = AnomalyDetector.open(placeholderPkg, CPU)) {
            Enrollment e = Enrollment.of(d).bankUpdate(Enrollment.BankUpdate.REPLACE).fullBank();
            shots.forEach(p -> e.addNormal(ImageInput.of(p)));
            e.write(base);
        }
        deleteTree(placeholderPkg);
        return base;
    }

    /** Median ms of {@code timed} detect calls after a warm-up (the median resists other jobs' bursts). */
    private static double detectMs(Path pkg, Path probe, int timed) {
        try (AnomalyDetector d = AnomalyDetector.open(pkg, CPU)) {
            d.detect(probe); // warm-up
            double[] ms = new double[timed];
            for (int i = 0; i < timed; i++) {
                long t = System.nanoTime();
                d.detect(probe);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            return ms[timed / 2];
        }
    }

    /**
     * The exact nearest-neighbour search of one image's patches against a bank of {@code rows}: max
     * cosine of unit rows, as one Gemm + ReduceMax (the exported graph) and as Gemm + ReduceMax over
     * chunks then Max (what a chunked search would do); same inputs, same answer, timed on ORT's CPU.
     */
    static void search(int rows, int width, int queries, Path out, int reps) throws IOException, OrtException {
        Random r = new Random(rows);
        float[] bank = new float[rows * width];
        for (int i = 0; i < bank.length; i++) {
            bank[i] = (float) r.nextGaussian();
        }
        float[] q = new float[queries * width];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        int[] chunkRows = {0, 8192, 32768};
        float[] reference = null;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int chunk : chunkRows) {
            OnnxGraph g = new OnnxGraph("search");
            String in = g.input("q", DataType.FLOAT, queries, width);
            List<String> maxima = new ArrayList<>();
            int step = chunk == 0 ? rows : chunk;
            for (int from = 0; from < rows; from += step) {
                int n = Math.min(step, rows - from);
                String b = g.initializer("bank_" + from, new long[] {n, width},
                        Arrays.copyOfRange(bank, from * width, (from + n) * width));
                String cos = g.op("Gemm", List.of(in, b), OnnxAttributes.i("transB", 1));
                maxima.add(g.op("ReduceMax", List.of(cos), OnnxAttributes.ints("axes", 1), OnnxAttributes.i("keepdims", 0)));
            }
            String best = maxima.size() == 1 ? maxima.get(0) : g.op("Max", maxima);
            g.rename(best, "best");
            g.output("best", DataType.FLOAT, queries);
            ModelProto model = g.toModel("bank-bench", "0", Map.of());
            Path file = out.resolve("search.onnx");
            OnnxModelFiles.write(model, file, ExternalDataPolicy.automatic());
            model = null;
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                    OrtSession s = env.createSession(file.toString(), so);
                    OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(q), new long[] {queries, width})) {
                float[] got = null;
                for (int i = 0; i < 1; i++) { // warm-up
                    try (OrtSession.Result res = s.run(Map.of("q", t))) {
                        got = ((float[]) res.get(0).getValue()).clone();
                    }
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    try (OrtSession.Result res = s.run(Map.of("q", t))) {
                        res.get(0);
                    }
                }
                double ms = (System.nanoTime() - t0) / 1e6 / reps;
                double diff = 0;
                if (reference == null) {
                    reference = got;
                } else {
                    for (int i = 0; i < got.length; i++) {
                        diff = Math.max(diff, Math.abs(got[i] - reference[i]));
                    }
                }
                System.out.printf(Locale.ROOT, "search: %d rows x %d, %d queries, %s: %.1f ms per search (max diff to"
                        + " one Gemm %.1e)%n", rows, width, queries, chunk == 0 ? "one Gemm + ReduceMax"
                                : "chunks of " + chunk + " rows", ms, diff);
                System.out.flush();
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(OnnxModelFiles.dataFileFor(file));
            }
        }
    }

    /** Peak heap while enrolling: sampled used heap (garbage included) and the most live after any GC. */
    static final class HeapWatch implements javax.management.NotificationListener {
        private final AtomicLong peakUsed = new AtomicLong();
        private final AtomicLong peakAfterGc = new AtomicLong();
        private volatile boolean running = true;
        private Thread sampler;

        static HeapWatch start() {
            System.gc();
            HeapWatch w = new HeapWatch();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(w, null, null);
            }
            w.sampler = new Thread(() -> {
                while (w.running) {
                    w.peakUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                            Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            w.sampler.setDaemon(true);
            w.sampler.start();
            return w;
        }

        @Override
        public void handleNotification(javax.management.Notification n, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                used += u.getUsed();
            }
            peakAfterGc.accumulateAndGet(used, Math::max);
        }

        long[] stop() throws InterruptedException {
            running = false;
            sampler.join();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                try {
                    ((NotificationEmitter) gc).removeNotificationListener(this);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // not registered with this collector
                }
            }
            return new long[] {peakUsed.get(), peakAfterGc.get()};
        }
    }

    private static HostTensor gaussian(Random r, float std, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return HostTensor.ofFloats(new long[] {rows, cols}, v);
    }

    private static long size(Path pkg) throws IOException {
        try (Stream<Path> s = Files.list(pkg)) {
            long n = 0;
            for (Path p : s.toList()) {
                n += Files.size(p);
            }
            return n;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt)
                .toArray();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --name value pairs; got '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
