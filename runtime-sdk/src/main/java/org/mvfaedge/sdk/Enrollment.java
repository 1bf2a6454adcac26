package org.mvfaedge.sdk;

import org.mvfaedge.sdk.util.AtomicFiles;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.mvfaedge.sdk.bank.BankPrecision;
import org.mvfaedge.sdk.bank.BankTensors;
import org.mvfaedge.sdk.bank.BoundedBank;
import org.mvfaedge.sdk.bank.CoresetSelector;
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.detect.GraphRunner;
import org.mvfaedge.sdk.detect.InputDecoder;
import org.mvfaedge.sdk.detect.Workspace;
import org.mvfaedge.sdk.image.Augmentation;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.onnx.OnnxModelEdits;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.onnx.OnnxTensors;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ManifestBuilder;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds a site's normal images to a few-shot package's memory bank without the trainer: each image
 * is augmented into the reference's 11 views, run through the graph's token outputs, and its tokens
 * (L2-normalised, CLS included, as the reference's bank) are appended to every level's seg and det
 * bank (or replace them). Optionally the package is recalibrated on images the caller labels. The
 * result is a new package, written atomically; the source package is not changed.
 *
 * <pre>{@code
 * ModelPackage p = Enrollment.of(detector).addNormals(siteImages).write(Path.of("onnx/brain-site"));
 * }</pre>
 */
public final class Enrollment {
    /** What happens to the bank already in the package. */
    public enum BankUpdate {
        /** New rows are added after the existing ones (default). */
        APPEND,
        /** The bank is rebuilt from the enrolled images only. */
        REPLACE
    }

    /** An image with its label, for recalibration. */
    public record LabeledImage(ImageInput image, boolean anomalous) {
        public LabeledImage {
            Objects.requireNonNull(image, "image");
        }
    }

    /** {@code calibration.source} of a package recalibrated at enrollment. */
    public static final String CALIBRATION_SOURCE = "enrollment";
    static final String PRODUCER = "MVFA-Edge 0.1.0 SDK enrollment";
    private static final Logger LOG = LoggerFactory.getLogger(Enrollment.class);

    /**
     * Rows per level and branch an enrolled bank keeps by default: a site that enrols normal images
     * unattended never grows its bank (and its search time) without bound. At 240 px with ViT-B/16 or
     * ViT-L/14 (226 tokens, 11 views) an image adds 2,486 rows, so the default holds about 1.6 images'
     * worth of rows, chosen by greedy k-center from everything enrolled (PatchCore keeps 1 to 10 %).
     */
    public static final int DEFAULT_BANK_BUDGET = 4096;
    /** The selection's default seed. */
    public static final long DEFAULT_SELECTION_SEED = 0;

    private final AnomalyDetector detector;
    private final List<ImageInput> normals = new ArrayList<>();
    private BankUpdate update = BankUpdate.APPEND;
    private int bankBudget = DEFAULT_BANK_BUDGET;
    private long selectionSeed = DEFAULT_SELECTION_SEED;
    private BankPrecision bankPrecision;
    private boolean withoutImages;
    private String calibrationSource = CALIBRATION_SOURCE;
    private List<LabeledImage> calibration;
    private Double targetSensitivity;

    private Enrollment(AnomalyDetector detector) {
        this.detector = detector;
    }

    /** An enrollment into the package {@code detector} runs. */
    public static Enrollment of(AnomalyDetector detector) {
        return new Enrollment(Objects.requireNonNull(detector, "detector"));
    }

    /** Adds normal images. */
    public Enrollment addNormals(List<ImageInput> images) {
        images.forEach(i -> normals.add(Objects.requireNonNull(i, "image")));
        return this;
    }

    /** Adds one normal image. */
    public Enrollment addNormal(ImageInput image) {
        normals.add(Objects.requireNonNull(image, "image"));
        return this;
    }

    /** Appends to (default) or replaces the package's bank. */
    public Enrollment bankUpdate(BankUpdate update) {
        this.update = Objects.requireNonNull(update, "update");
        return this;
    }

    /**
     * Rows per level (for each of the seg and det banks) the new bank keeps, chosen by greedy k-center
     * coreset selection among the package's rows (when appending) and the enrolled images' rows, which
     * are reduced as they stream in: at most twice the budget is held per bank. 0 keeps every row
     * ({@link #fullBank}). Default {@link #DEFAULT_BANK_BUDGET}; a bank with no more rows than the
     * budget is kept whole, in order.
     */
    public Enrollment bankBudget(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("the bank budget is a number of rows >= 0 (0: keep every row), got " + rows);
        }
        this.bankBudget = rows;
        return this;
    }

    /** Keeps every row: the bank grows by each image's rows (11 views x tokens), as the reference's does. */
    public Enrollment fullBank() {
        return bankBudget(0);
    }

    /** The seed of the coreset selection (its random projection and first row); default 0. */
    public Enrollment selectionSeed(long seed) {
        this.selectionSeed = seed;
        return this;
    }

    /**
     * Stores the new bank in float16 ({@link BankPrecision#FP16}: half the bytes; the graph casts it to
     * float32, so similarities still accumulate in float32). Default: the package's own bank precision.
     * A float16 bank stays float16 on later enrollments; {@link BankPrecision#FP32} cannot widen one back.
     */
    public Enrollment bankPrecision(BankPrecision precision) {
        this.bankPrecision = Objects.requireNonNull(precision, "precision");
        return this;
    }

    /**
     * Rewrites the package's bank with no new images: to reduce it to {@link #bankBudget} or store it in
     * {@link #bankPrecision} (the trainer's {@code export --bank-budget}). The model id and producer are
     * kept. Without this, an enrollment without images is refused as a mistake.
     */
    public Enrollment withoutImages() {
        this.withoutImages = true;
        return this;
    }

    /** {@code calibration.source} written by {@link #recalibrateOn} (default {@link #CALIBRATION_SOURCE}). */
    public Enrollment calibrationSource(String source) {
        this.calibrationSource = Objects.requireNonNull(source, "source");
        return this;
    }

    /**
     * Recalibrates the new package on labelled images (needs at least one of each label): raw output
     * statistics, and a threshold at the best F1, or at the highest threshold reaching
     * {@code targetSensitivity} when it is not null.
     */
    public Enrollment recalibrateOn(List<LabeledImage> images, Double targetSensitivity) {
        this.calibration = List.copyOf(images);
        this.targetSensitivity = targetSensitivity;
        return this;
    }

    /**
     * Writes the new package to {@code out} (atomically: a failure leaves nothing there) and returns it,
     * opened and verified.
     *
     * @throws ModelPackageException if the package is zero-shot (it has no memory bank)
     * @throws ImageDecodeException for an image that cannot be read, naming its position
     */
    public ModelPackage write(Path out) {
        Objects.requireNonNull(out, "out");
        ModelPackage source = detector.modelPackage();
        Manifest m = source.manifest();
        if (!m.mode().fewShot()) {
            throw new ModelPackageException(source.dir(), "is a zero-shot package: it has no memory bank to enroll"
                    + " images into; export a few-shot package (./mvfa export --mode few)");
        }
        if (normals.isEmpty() && !withoutImages) {
            throw new IllegalArgumentException("no normal images to enroll; add at least one");
        }
        if (calibration != null) {
            checkLabels(calibration);
        }
        int levels = m.model().levels();
        int width = m.model().bottleneck();
        List<String> added = new ArrayList<>();
        Path work = null;
        try {
            // Mapped, not parsed onto the heap: only the banks are held in memory.
            ModelProto model = OnnxModelFiles.readMapped(source.modelFile());
            BoundedBank[] banks = new BoundedBank[2 * levels];
            int[] types = new int[2 * levels];
            for (int i = 0; i < banks.length; i++) {
                TensorProto old = OnnxModelEdits.initializer(model, bankName(i));
                long[] dims = OnnxTensors.dims(old);
                if (dims.length != 2 || dims[1] != width) {
                    throw new ModelPackageException(source.dir(), "memory bank '" + bankName(i) + "' has shape "
                            + java.util.Arrays.toString(dims) + ", expected [M, " + width + "]");
                }
                types[i] = old.getDataType();
                banks[i] = new BoundedBank(width, bankBudget, selectionSeed);
                if (update == BankUpdate.APPEND) {
                    // The package's rows are unit rows already.
                    float[] rows = BankTensors.rows(old);
                    banks[i].addUnit(rows, 0, rows.length / width);
                }
            }
            String precision = m.mode().bankPrecision();
            if (bankPrecision == BankPrecision.FP16) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < banks.length; i++) {
                    names.add(bankName(i));
                    types[i] = TensorProto.DataType.FLOAT16.getNumber();
                }
                model = BankPrecision.castFromFloat16(model, names);
                precision = BankPrecision.FP16.id();
            } else if (bankPrecision == BankPrecision.FP32 && types[0] == TensorProto.DataType.FLOAT16.getNumber()) {
                throw new IllegalArgumentException("the package's memory bank is float16 already; its rows cannot be"
                        + " widened back to float32 (enroll into a package exported with a float32 bank)");
            }
            detector.withGraph((runner, decoder, ws) -> {
                tokens(source, runner, decoder, ws, levels, banks, added);
                return null;
            });
            for (int i = 0; i < banks.length; i++) {
                float[] rows = banks[i].finish();
                model = OnnxModelEdits.replaceInitializer(model, BankTensors.tensor(bankName(i), rows.length / width,
                        width, rows, types[i]));
            }
            long seen = banks[0].rowsSeen();
            long rows = banks[0].rows();
            Manifest.BankReduction reduction = bankBudget == 0 || seen <= bankBudget ? null
                    : new Manifest.BankReduction("greedy-k-center", bankBudget, seen, rows, selectionSeed,
                            new CoresetSelector(selectionSeed).projectedWidth(width));
            java.util.Arrays.fill(banks, null);
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, ".enroll-");
            Path graph = work.resolve(m.model().file());
            OnnxModelFiles.write(model, graph, ExternalDataPolicy.automatic());
            model = null; // its banks are in the heap: let them go before calibration runs
            Path data = OnnxModelFiles.dataFileFor(graph);
            boolean external = Files.isRegularFile(data);
            Manifest.Calibration cal = calibration == null ? keptCalibration(m) : recalibrate(graph, m);
            Manifest updated = manifest(m, added, rows, external, cal, reduction, precision);
            LOG.info("enrolled {} normal image(s): memory bank of {} rows per level ({} before the budget of {})",
                    added.size(), rows, seen, bankBudget == 0 ? "none" : bankBudget);
            ModelPackage written = ModelPackage.write(out, updated, graph, external ? data : null);
            org.mvfaedge.sdk.dicom.DicomSettings.copy(source.dir(), out); // the DICOM window stays the package's
            return written;
        } catch (IOException | UncheckedIOException e) {
            throw new ModelPackageException(out, "cannot write the enrolled package: " + e.getMessage(), e);
        } catch (OnnxFormatException e) {
            throw new ModelPackageException(source.dir(), "the graph cannot be edited: " + e.getMessage(), e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Bank {@code i}: level i/2, seg for even i, det for odd. */
    private static String bankName(int i) {
        return i % 2 == 0 ? MvfaGraphNames.segMemory(i / 2) : MvfaGraphNames.detMemory(i / 2);
    }

    private static void checkLabels(List<LabeledImage> images) {
        long anomalous = images.stream().filter(LabeledImage::anomalous).count();
        if (anomalous == 0 || anomalous == images.size()) {
            throw new IllegalArgumentException("recalibration needs normal and anomalous images; got "
                    + images.size() + " image(s), " + anomalous + " anomalous");
        }
    }

    /**
     * Each normal image's 11 augmented views through the graph's token outputs, streamed into the banks
     * (index 2k the seg bank of level k, 2k+1 its det bank). Rows come shot-major, view by view, CLS
     * first, as in the reference's bank. The banks reduce in parallel (they are independent).
     */
    private void tokens(ModelPackage source, GraphRunner runner, InputDecoder decoder, Workspace ws,
            int levels, BoundedBank[] banks, List<String> added) {
        Set<String> wanted = new LinkedHashSet<>();
        for (int k = 0; k < levels; k++) {
            wanted.add(MvfaGraphNames.segTokens(k));
            wanted.add(MvfaGraphNames.detTokens(k));
        }
        for (String name : wanted) {
            if (!runner.hasOutput(name)) {
                throw new ModelPackageException(source.dir(), "the graph has no output '" + name
                        + "' (token outputs are needed for enrollment); re-export the package with a current trainer");
            }
        }
        int s = runner.size();
        int per = 3 * s * s;
        int width = banks[0].width();
        FloatBuffer batch = ws.batch(Augmentation.COUNT);
        float[] views = new float[Augmentation.COUNT * per];
        for (int i = 0; i < normals.size(); i++) {
            RgbImage img;
            try {
                img = decoder.decode(normals.get(i));
            } catch (ImageDecodeException e) {
                throw new ImageDecodeException(e.reason(), "normal image " + (i + 1) + " of " + normals.size() + ": "
                        + e.getMessage(), e);
            }
            ws.preprocessor().image(img, ws.image(), 0);
            Augmentation.augment(ws.image(), 3, s, s, views, 0);
            batch.put(0, views);
            Map<String, float[]> out = runner.run(batch, Augmentation.COUNT, wanted);
            float[][] rows = new float[banks.length][];
            for (int b = 0; b < banks.length; b++) {
                String name = b % 2 == 0 ? MvfaGraphNames.segTokens(b / 2) : MvfaGraphNames.detTokens(b / 2);
                rows[b] = out.get(name);
                if (rows[b].length % width != 0) {
                    throw new InferenceException("token output of " + rows[b].length + " values is not rows of the"
                            + " manifest's bottleneck " + width);
                }
            }
            IntStream.range(0, banks.length).parallel().forEach(b -> banks[b].add(rows[b], 0, rows[b].length / width));
            // An identifier that cannot reveal the image: file names may carry patient data.
            added.add("enrolled:sha256:" + Sha256.of(img.toByteArray()).substring(0, 16));
        }
    }

    private Manifest.Calibration keptCalibration(Manifest m) {
        if (!"none".equals(m.calibration().source())) {
            LOG.warn("the calibration statistics were measured with the previous memory bank; recalibrate on"
                    + " labelled images for a threshold that matches the new bank");
        }
        return m.calibration();
    }

    /**
     * Fits the new graph's calibration on the labelled images. It runs on the CPU: a one-off pass over a
     * few images, where a GPU session (and, for TensorRT, an engine build) would cost more than it saves.
     */
    private Manifest.Calibration recalibrate(Path graph, Manifest m) {
        int s = m.model().imgSize();
        Calibrator c = new Calibrator(true, m.object().hasMasks(), m.model().levels());
        InputDecoder decoder = new InputDecoder(detector.options().maxPixels());
        Preprocessor pre = detector.modelPackage().preprocessing().preprocessor();
        try (OnnxRawScorer ort = OnnxRawScorer.cpu(graph, s)) {
            for (int i = 0; i < calibration.size(); i++) {
                LabeledImage li = calibration.get(i);
                RgbImage img;
                try {
                    img = decoder.decode(li.image());
                } catch (ImageDecodeException e) {
                    throw new ImageDecodeException(e.reason(), "calibration image " + (i + 1) + " of "
                            + calibration.size() + ": " + e.getMessage(), e);
                }
                c.add(ort.score(pre.image(img), 1), new int[] {li.anomalous() ? 1 : 0});
            }
        }
        return c.fit(calibrationSource, targetSensitivity);
    }

    private Manifest manifest(Manifest m, List<String> added, long rows, boolean external, Manifest.Calibration cal,
            Manifest.BankReduction reduction, String precision) {
        List<String> support = new ArrayList<>();
        if (update == BankUpdate.APPEND && m.mode().supportImages() != null) {
            support.addAll(m.mode().supportImages());
        }
        support.addAll(added);
        Manifest.Mode mode = new Manifest.Mode(m.mode().protocol(), support.size(), m.mode().iterate(), m.mode().seed(),
                support, rows, reduction, precision);
        // re-reducing an existing bank (no new image) keeps the package's identity; new images make a new model
        ManifestBuilder b = ManifestBuilder.derivedFrom(m, added.isEmpty() ? m.producer() : PRODUCER);
        b = added.isEmpty() ? b.id(m.modelId()) : b.idWithTime(m.object().name() + "-few-shot-enrolled");
        return b.mode(mode).externalData(external).calibration(cal).build();
    }

    private static void deleteTree(Path p) {
        try {
            AtomicFiles.deleteTree(p);
        } catch (IOException e) {
            LOG.warn("could not remove the temporary enrollment folder: {}", e.getMessage());
        }
    }
}
