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
import org.mvfaedge.sdk.calibration.Calibrator;
import org.mvfaedge.sdk.detect.BankRows;
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

    private final AnomalyDetector detector;
    private final List<ImageInput> normals = new ArrayList<>();
    private BankUpdate update = BankUpdate.APPEND;
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
        if (normals.isEmpty()) {
            throw new IllegalArgumentException("no normal images to enroll; add at least one");
        }
        if (calibration != null) {
            checkLabels(calibration);
        }
        int levels = m.model().levels();
        List<String> added = new ArrayList<>();
        List<BankRows[]> fresh = detector.withGraph((runner, decoder, ws) -> tokens(source, runner, decoder, ws,
                levels, added));
        Path work = null;
        try {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, ".enroll-");
            ModelProto model = OnnxModelFiles.read(source.modelFile());
            for (int k = 0; k < levels; k++) {
                model = replaceBank(source, model, MvfaGraphNames.segMemory(k), fresh.get(0)[k]);
                model = replaceBank(source, model, MvfaGraphNames.detMemory(k), fresh.get(1)[k]);
            }
            long rows = bankRows(model, MvfaGraphNames.segMemory(0));
            Path graph = work.resolve(m.model().file());
            OnnxModelFiles.write(model, graph, ExternalDataPolicy.automatic());
            model = null; // the protobuf holds the whole model: let it go before calibration runs
            Path data = OnnxModelFiles.dataFileFor(graph);
            boolean external = Files.isRegularFile(data);
            Manifest.Calibration cal = calibration == null ? keptCalibration(m) : recalibrate(graph, m);
            Manifest updated = manifest(m, added, rows, external, cal);
            LOG.info("enrolled {} normal image(s): memory bank of {} rows per level", added.size(), rows);
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

    private static void checkLabels(List<LabeledImage> images) {
        long anomalous = images.stream().filter(LabeledImage::anomalous).count();
        if (anomalous == 0 || anomalous == images.size()) {
            throw new IllegalArgumentException("recalibration needs normal and anomalous images; got "
                    + images.size() + " image(s), " + anomalous + " anomalous");
        }
    }

    /**
     * Each normal image's 11 augmented views through the graph's token outputs; index 0 holds the seg
     * rows per level, index 1 the det rows. Rows come shot-major, view by view, CLS first, as in the
     * reference's bank.
     */
    private List<BankRows[]> tokens(ModelPackage source, GraphRunner runner, InputDecoder decoder, Workspace ws,
            int levels, List<String> added) {
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
        BankRows[] seg = new BankRows[levels];
        BankRows[] det = new BankRows[levels];
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
            for (int k = 0; k < levels; k++) {
                seg[k] = append(seg[k], out.get(MvfaGraphNames.segTokens(k)));
                det[k] = append(det[k], out.get(MvfaGraphNames.detTokens(k)));
            }
            // An identifier that cannot reveal the image: file names may carry patient data.
            added.add("enrolled:sha256:" + Sha256.of(img.toByteArray()).substring(0, 16));
        }
        return List.of(seg, det);
    }

    private BankRows append(BankRows rows, float[] tokens) {
        int width = detector.manifest().model().bottleneck();
        if (tokens.length % width != 0) {
            throw new InferenceException("token output of " + tokens.length + " values is not rows of the manifest's"
                    + " bottleneck " + width);
        }
        BankRows r = rows != null ? rows : new BankRows(width, new float[0]);
        r.appendNormalised(tokens, 0, tokens.length / width);
        return r;
    }

    private ModelProto replaceBank(ModelPackage source, ModelProto model, String name, BankRows fresh) {
        TensorProto old = OnnxModelEdits.initializer(model, name);
        long[] dims = OnnxTensors.dims(old);
        if (dims.length != 2 || dims[1] != fresh.width()) {
            throw new ModelPackageException(source.dir(), "memory bank '" + name + "' has shape "
                    + java.util.Arrays.toString(dims) + ", expected [M, " + fresh.width() + "]");
        }
        // Both the package's rows and the fresh ones are already unit rows: concatenate them as they are.
        float[] before = update == BankUpdate.APPEND ? OnnxTensors.toFloats(old) : new float[0];
        float[] add = fresh.toArray();
        float[] all = new float[before.length + add.length];
        System.arraycopy(before, 0, all, 0, before.length);
        System.arraycopy(add, 0, all, before.length, add.length);
        long rows = all.length / fresh.width();
        return OnnxModelEdits.replaceInitializer(model, OnnxTensors.floats(name, new long[] {rows, fresh.width()}, all));
    }

    private static long bankRows(ModelProto model, String name) {
        return OnnxTensors.dims(OnnxModelEdits.initializer(model, name))[0];
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
        return c.fit(CALIBRATION_SOURCE, targetSensitivity);
    }

    private Manifest manifest(Manifest m, List<String> added, long rows, boolean external, Manifest.Calibration cal) {
        List<String> support = new ArrayList<>();
        if (update == BankUpdate.APPEND && m.mode().supportImages() != null) {
            support.addAll(m.mode().supportImages());
        }
        support.addAll(added);
        Manifest.Mode mode = new Manifest.Mode(m.mode().protocol(), support.size(), m.mode().iterate(), m.mode().seed(),
                support, rows);
        return ManifestBuilder.derivedFrom(m, PRODUCER).idWithTime(m.object().name() + "-few-shot-enrolled").mode(mode)
                .externalData(external).calibration(cal).build();
    }

    private static void deleteTree(Path p) {
        try {
            AtomicFiles.deleteTree(p);
        } catch (IOException e) {
            LOG.warn("could not remove the temporary enrollment folder: {}", e.getMessage());
        }
    }
}
