package org.mvfaedge.trainer.demo;

import org.mvfaedge.sdk.util.AtomicFiles;
import org.mvfaedge.trainer.train.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.calibration.ScoreCalibration;
import org.mvfaedge.sdk.image.GreyImage;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.DjlRawScorer;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.eval.RocAuc;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;

/**
 * The demo end to end, on nothing but generated data and a random tiny CLIP: data, CLIP, few-shot
 * training of both objects, the paper's evaluation (few-shot: each object with its own adapters;
 * zero-shot: each object with the adapters trained on the other one, as the paper's zero-shot setting
 * never trains on the object it tests), export of the brain package, scoring of the test images
 * through the exported package on ONNX Runtime with the package's calibration, and the HTML report.
 *
 * <p>Layout under {@code out}: {@code data/}, {@code fewshot_seed/}, {@code objects.json},
 * {@code clip/tiny-clip.safetensors}, {@code ckpt/few-shot/<Object>.safetensors},
 * {@code onnx/DemoBrain-few-shot/}, {@code report.html} with its pictures in {@code report_files/}.
 */
public final class DemoRun {
    /** Seed of the data, the CLIP and the training unless given. */
    public static final long DEFAULT_SEED = org.mvfaedge.trainer.pipeline.PaperDefaults.SEED;
    static final int BATCH = 8;

    /** One object's scores through the exported package (the SDK path). */
    public record SdkScores(String object, List<Sample> samples, float[] scores, boolean[] anomalous, double threshold,
            double imageAuc, Double pixelAuc, List<float[]> maps, int mapSize, Map<String, double[]> branches) {
    }

    /** Everything the report shows and the command prints. */
    public record Outcome(DemoPlan plan, Path out, Map<String, EvaluationResult> fewShot,
            Map<String, EvaluationResult> zeroShot, Map<String, DemoTraining.Result> training, Path packageDir,
            SdkScores sdk, Path report, double seconds) {

        /** The headline numbers: the brain object's few-shot AUCs (the paper's protocol, DJL model). */
        public EvaluationResult headline() {
            return fewShot.get(DemoData.BRAIN);
        }
    }

    private final DemoPlan plan;
    private final Path out;
    private final long seed;
    private final PrintStream log;
    private final long t0 = System.nanoTime();
    private int stage;
    private static final int STAGES = 7;

    /**
     * @param log where progress and explanations go (the command passes stdout; tests may pass null)
     */
    public DemoRun(DemoPlan plan, Path out, long seed, PrintStream log) {
        this.plan = plan;
        this.out = out;
        this.seed = seed;
        this.log = log;
    }

    private void stage(String what) {
        stage++;
        say(String.format("[%d/%d %5.1f s] %s", stage, STAGES, elapsed(), what));
    }

    private void say(String line) {
        if (log != null) {
            log.println(line);
            log.flush();
        }
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    public Outcome run() throws IOException {
        say("MVFA-Edge demo (" + plan.name() + " size) in " + out.toAbsolutePath());
        say("NOTE: a RANDOMLY INITIALISED tiny CLIP stands in for OpenAI's (whose weights cannot be shipped).");
        say("      What to expect from it: few-shot finds the brain lesions above chance (image AUC about");
        say("      0.65-0.9, pixel AUC about 0.95): the memory bank of normal patches flags patches much darker than");
        say("      the tissue normally at that place, which even random patch features show. Chest opacities are");
        say("      brighter than lung and look like any bright normal patch to a random ViT: near chance. Zero-shot");
        say("      text prompts go through a random text tower: chance (0.25-0.75 with few test images).");
        say("      Only OpenAI's trained towers give MVFA its real numbers: see docs/DEMO.md for real weights and data.");
        stage("generating demo data (brain-MRI-like slices with lesion masks, chest-X-ray-like radiographs)");
        Progress dataBar = Progress.to("  images", plan.brain().validGood() + plan.brain().validBad()
                + plan.brain().testGood() + plan.brain().testBad() + plan.chest().validGood() + plan.chest().validBad()
                + plan.chest().testGood() + plan.chest().testBad(), log);
        DemoData.Written data = DemoData.generate(out, plan.brain(), plan.chest(), plan.shot(), seed,
                (done, total) -> dataBar.update(done));
        dataBar.done();
        say("  " + data.images() + " images in " + data.data());

        stage("creating the tiny random CLIP " + describe(plan));
        Path clipFile = out.resolve("clip").resolve("tiny-clip.safetensors");
        Files.createDirectories(clipFile.getParent());
        Map<String, HostTensor> tensors = RandomClip.create(plan.clip(), seed);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("clip_config", plan.clip().toOpenClipJson().toString());
        meta.put("init", "random (OpenAI initialisation), seed " + seed + ", mvfa demo");
        // fp32 throughout: the file is small, and the DJL model and the export see identical weights.
        Safetensors.write(clipFile, tensors, meta, Safetensors.FloatFormat.F32);
        ClipWeights clip = ClipWeights.load(clipFile);
        say("  " + clipFile + " (" + Files.size(clipFile) / 1000 + " kB)");

        PromptConfig prompts = DemoData.promptConfig();
        ObjectInfo brain = prompts.object(DemoData.BRAIN);
        ObjectInfo chest = prompts.object(DemoData.CHEST);
        Map<String, FewShotSplit> splits = new LinkedHashMap<>();
        Map<String, BmadDataset> sets = new LinkedHashMap<>();
        for (ObjectInfo o : List.of(brain, chest)) {
            BmadDataset ds = BmadDataset.open(data.data(), o.name(), o.hasMasks());
            sets.put(o.name(), ds);
            splits.put(o.name(), FewShotSplit.fromSeedFile(ds, data.fewshotSeeds(), plan.shot(), 0));
        }

        stage("training few-shot adapters (" + plan.shot() + " normal + " + plan.shot() + " abnormal shots x "
                + org.mvfaedge.sdk.image.Augmentation.COUNT + " augmentations, " + plan.epochs() + " epochs per object)");
        Map<String, DemoTraining.Result> training = new LinkedHashMap<>();
        for (ObjectInfo o : List.of(brain, chest)) {
            try (MvfaModel m = MvfaModel.create(settings(clipFile, prompts, null), clip, null)) {
                DemoTraining.Result r = DemoTraining.train(m, o, splits.get(o.name()),
                        splits.get(o.name()).without(sets.get(o.name()).samples(BmadDataset.Split.VALID)), plan.epochs(),
                        seed, out.resolve("ckpt"), log);
                training.put(o.name(), r);
                say(String.format("  %s: best epoch %d of %d (valid split), checkpoint %s", o.name(), r.best().epoch() + 1,
                        plan.epochs(), r.checkpoint()));
            }
        }

        stage("evaluating with the paper's protocols (test_few.py, test_zero.py)");
        Map<String, EvaluationResult> few = new LinkedHashMap<>();
        Map<String, EvaluationResult> zero = new LinkedHashMap<>();
        for (ObjectInfo o : List.of(brain, chest)) {
            ObjectInfo other = o == brain ? chest : brain;
            List<Sample> test = sets.get(o.name()).samples(BmadDataset.Split.TEST);
            Path own = training.get(o.name()).checkpoint();
            try (MvfaModel m = MvfaModel.create(settings(clipFile, prompts, own), clip,
                    org.mvfaedge.trainer.weights.AdapterCheckpoint.read(own))) {
                Progress bar = Progress.to("  few-shot " + o.name(), test.size(), log);
                List<float[]> shots = Sample.preprocessed(splits.get(o.name()).normal(), plan.imageSize());
                try (MemoryBank bank = m.memoryBank(shots, BATCH)) {
                    few.put(o.name(), new Evaluator(new DjlRawScorer(m, o, bank), BATCH).fewShot(o, test, bar::update));
                }
                bar.done();
                say("  " + few.get(o.name()).summary());
            }
            Path foreign = training.get(other.name()).checkpoint();
            try (MvfaModel m = MvfaModel.create(settings(clipFile, prompts, foreign), clip,
                    org.mvfaedge.trainer.weights.AdapterCheckpoint.read(foreign))) {
                Progress bar = Progress.to("  zero-shot " + o.name() + " (adapters of " + other.name() + ")",
                        test.size(), log);
                zero.put(o.name(), new Evaluator(new DjlRawScorer(m, o, null), BATCH).zeroShot(o, test, bar::update));
                bar.done();
                say("  " + zero.get(o.name()).summary());
            }
        }

        stage("exporting the " + brain.name() + " few-shot model package (ONNX + manifest, calibrated on the valid "
                + "split without the shots)");
        Path pkgDir = out.resolve("onnx").resolve(brain.name() + "-few-shot");
        AtomicFiles.deleteTree(pkgDir);
        Path brainCkpt = training.get(brain.name()).checkpoint();
        try (MvfaModel m = MvfaModel.create(settings(clipFile, prompts, brainCkpt), clip,
                org.mvfaedge.trainer.weights.AdapterCheckpoint.read(brainCkpt))) {
            Map<String, Path> sources = new LinkedHashMap<>();
            sources.put("clip", clipFile);
            sources.put("adapters", brainCkpt);
            sources.put("objects", data.objectsJson());
            FewShotSplit split = splits.get(brain.name());
            PackageExporter.Result r = PackageExporter.export(new PackageExporter.Request(m, brain, split.normal(),
                    plan.shot(), split.iterate(), seed, "valid",
                    split.without(sets.get(brain.name()).samples(BmadDataset.Split.VALID)), null, pkgDir, sources, BATCH));
            say(String.format("  %s: export check max difference %.2e to the DJL model, threshold %.4f", pkgDir,
                    r.maxDifference(), r.pkg().manifest().calibration().threshold()));
        }

        stage("scoring the " + brain.name() + " test images through the exported package (ONNX Runtime)");
        SdkScores sdk = scoreThroughPackage(pkgDir, brain, sets.get(brain.name()).samples(BmadDataset.Split.TEST));
        say(String.format("  SDK: image AUC %.3f, pixel AUC %.3f, %d of %d flagged at the package's threshold",
                sdk.imageAuc(), sdk.pixelAuc() == null ? Double.NaN : sdk.pixelAuc(), count(sdk.anomalous()),
                sdk.samples().size()));
        sdk.branches().forEach((k, v) -> say(String.format("  %s: image AUC %.3f, pixel AUC %.3f", k, v[0], v[1])));

        stage("writing the report");
        Outcome partial = new Outcome(plan, out, few, zero, training, pkgDir, sdk, out.resolve("report.html"), elapsed());
        Path report = DemoReport.write(partial);
        say("  " + report.toAbsolutePath());
        return new Outcome(plan, out, few, zero, training, pkgDir, sdk, report, elapsed());
    }

    /**
     * Asks DJL for one PyTorch intra-op thread unless the user chose a number
     * ({@code -Dai.djl.pytorch.num_threads}). The demo's tensors are tiny, so threads gain little, and
     * on a shared machine OpenMP's spin-waiting threads made a training step several times slower
     * (measured on 2 busy cores: 850 ms with the default threads, 150 ms with one). Takes effect only
     * if the PyTorch engine has not started yet in this JVM.
     */
    public static void singleThreadedTorch() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    private MvfaSettings settings(Path clipFile, PromptConfig prompts, Path adapters) {
        return new MvfaSettings(clipFile, Path.of(MvfaModel.BYTE_LEVEL_BPE), prompts, plan.imageSize(), plan.features(),
                Activation.defaultChoice(), adapters);
    }

    static String describe(DemoPlan p) {
        var c = p.clip();
        return String.format("(ViT: %d layers, width %d, patch %d, %d px; text: %d layers, width %d, %d-id byte-level "
                + "vocabulary, context %d)", c.visionLayers(), c.visionWidth(), c.patchSize(), c.imageSize(), c.textLayers(),
                c.textWidth(), c.vocabSize(), c.contextLength());
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }

    /**
     * The SDK path: the package's graph on ONNX Runtime and its calibration (fixed statistics from the
     * valid split, not the test set's), one image at a time as a deployed detector sees them.
     */
    private SdkScores scoreThroughPackage(Path pkgDir, ObjectInfo object, List<Sample> test) {
        ModelPackage pkg = ModelPackage.open(pkgDir);
        Manifest.Calibration cal = pkg.manifest().calibration();
        ScoreCalibration calibration = new ScoreCalibration(cal);
        int s = pkg.manifest().model().imgSize();
        ImageDecoder decoder = new ImageDecoder();
        Preprocessor pre = new Preprocessor(s);
        float[] scores = new float[test.size()];
        boolean[] flagged = new boolean[test.size()];
        boolean[] labels = new boolean[test.size()];
        List<float[]> maps = new ArrayList<>();
        int pixels = s * s;
        float[] allPixels = object.hasMasks() ? new float[test.size() * pixels] : null;
        byte[] pixelLabels = object.hasMasks() ? new byte[test.size() * pixels] : null;
        // Each branch on its own (raw outputs, image score = the map's maximum): which half of the
        // few-shot protocol carries the signal with a random backbone.
        float[] zeroPixels = allPixels == null ? null : new float[allPixels.length];
        float[] fewPixels = allPixels == null ? null : new float[allPixels.length];
        float[] zeroMax = new float[test.size()];
        float[] fewMax = new float[test.size()];
        Progress bar = Progress.to("  SDK scoring", test.size(), log);
        try (OnnxRawScorer ort = OnnxRawScorer.cpu(pkg.modelFile(), s)) {
            for (int i = 0; i < test.size(); i++) {
                Sample smp = test.get(i);
                RawOutputs r = ort.score(pre.image(decoder.decode(smp.image())), 1);
                float[] map = calibration.map(r, 0);
                scores[i] = calibration.score(r, 0, map);
                flagged[i] = scores[i] >= calibration.threshold();
                labels[i] = smp.label() == 1;
                maps.add(map);
                zeroMax[i] = max(r.zeroMap());
                fewMax[i] = max(r.fewMap());
                if (allPixels != null) {
                    System.arraycopy(r.zeroMap(), 0, zeroPixels, i * pixels, pixels);
                    System.arraycopy(r.fewMap(), 0, fewPixels, i * pixels, pixels);
                    System.arraycopy(map, 0, allPixels, i * pixels, pixels);
                    if (smp.mask() != null) {
                        float[] m = pre.mask(decoder.decodeMask(smp.mask()));
                        for (int p = 0; p < pixels; p++) {
                            pixelLabels[i * pixels + p] = (byte) (m[p] > 0.5f ? 1 : 0);
                        }
                    }
                }
                bar.update(i + 1);
            }
        }
        bar.done();
        double imageAuc = RocAuc.of(scores.clone(), labels);
        Double pixelAuc = allPixels == null ? null : RocAuc.of(allPixels.clone(), pixelLabels, allPixels.length);
        Map<String, double[]> branches = new LinkedHashMap<>();
        branches.put("zero-shot map alone (text features)", new double[] {RocAuc.of(zeroMax, labels),
            zeroPixels == null ? Double.NaN : RocAuc.of(zeroPixels, pixelLabels, zeroPixels.length)});
        branches.put("memory-bank map alone (normal shots)", new double[] {RocAuc.of(fewMax, labels),
            fewPixels == null ? Double.NaN : RocAuc.of(fewPixels, pixelLabels, fewPixels.length)});
        return new SdkScores(object.name(), test, scores, flagged, calibration.threshold(), imageAuc, pixelAuc, maps, s,
                branches);
    }

    private static float max(float[] a) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The mask of a sample at the image's own resolution, or null. */
    static boolean[] maskOf(Sample s, ImageDecoder decoder) {
        if (s.mask() == null) {
            return null;
        }
        GreyImage g = decoder.decodeMask(s.mask());
        boolean[] m = new boolean[g.width() * g.height()];
        for (int y = 0; y < g.height(); y++) {
            for (int x = 0; x < g.width(); x++) {
                m[y * g.width() + x] = g.get(x, y) > 127;
            }
        }
        return m;
    }

    static RgbImage image(Sample s, ImageDecoder decoder) {
        return decoder.decode(s.image());
    }
}
