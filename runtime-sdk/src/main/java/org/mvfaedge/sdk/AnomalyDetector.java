package org.mvfaedge.sdk;

import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.mvfaedge.sdk.calibration.ScoreCalibration;
import org.mvfaedge.sdk.detect.GraphRunner;
import org.mvfaedge.sdk.detect.InputDecoder;
import org.mvfaedge.sdk.detect.MapGrid;
import org.mvfaedge.sdk.detect.SessionFactory;
import org.mvfaedge.sdk.detect.Workspace;
import org.mvfaedge.sdk.detect.WorkspacePool;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.sdk.runtime.RawOutputs;

/**
 * The embeddable anomaly detector: a verified model package running on ONNX Runtime. Each call
 * decodes the image, prepares it exactly as in training, runs the package's graph, calibrates the
 * raw outputs with the package's statistics and returns a {@link Detection} at the input's own
 * resolution. Thread-safe: one detector serves any number of threads (ONNX Runtime runs a session
 * concurrently; per-call buffers come from a pool). Close it to free the native session.
 *
 * <pre>{@code
 * try (AnomalyDetector d = AnomalyDetector.open(Path.of("onnx/brain-few"), DetectorOptions.defaults())) {
 *     Detection r = d.detect(Path.of("scan.png"));
 *     if (r.anomalous()) { ... r.regions() ... }
 * }
 * }</pre>
 */
public final class AnomalyDetector implements AutoCloseable {
    private final ModelPackage pkg;
    private final DetectorOptions options;
    private final OnnxRawScorer scorer;
    private final GraphRunner runner;
    private final ExecutionProvider provider;
    private final List<ProviderFailure> failures;
    private final ScoreCalibration calibration;
    private final InputDecoder decoder;
    private final WorkspacePool pool;
    private final int size;
    /** Calls hold the read lock; close takes the write lock, so the session never closes under a call. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private AnomalyDetector(ModelPackage pkg, DetectorOptions options, SessionFactory.Opened opened) {
        this.pkg = pkg;
        this.options = options;
        this.scorer = opened.scorer();
        this.provider = opened.provider();
        this.failures = opened.failures();
        Manifest m = pkg.manifest();
        this.size = m.model().imgSize();
        try {
            this.calibration = new ScoreCalibration(m.calibration());
        } catch (IllegalArgumentException e) {
            scorer.close();
            throw new ModelPackageException(pkg.dir(), "calibration cannot be used: " + e.getMessage()
                    + " (re-export the package)", e);
        }
        if (calibration.fewShot() != scorer.fewShot()) {
            scorer.close();
            throw new ModelPackageException(pkg.dir(), "the manifest's calibration is "
                    + (calibration.fewShot() ? "few-shot" : "zero-shot") + " but the graph "
                    + (scorer.fewShot() ? "has" : "has no") + " few-shot outputs (re-export the package)");
        }
        this.runner = scorer.runner();
        this.decoder = new InputDecoder(options.maxPixels(), org.mvfaedge.sdk.dicom.DicomSettings.read(pkg.dir()).window());
        // the manifest's preprocessing (checked when the package was opened), not a hard-coded one
        this.pool = new WorkspacePool(pkg.preprocessing(), Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Opens a package and starts a session on the first execution provider of
     * {@link DetectorOptions#providers()} that registers and loads the model (each failure is logged
     * once, with its reason).
     *
     * @throws ModelPackageException if the package is missing, changed or of an unknown format, or its graph
     *     is not an MVFA graph (raised before any provider is tried)
     * @throws InferenceException if no provider can load the model
     */
    public static AnomalyDetector open(Path packageDir, DetectorOptions options) {
        Objects.requireNonNull(packageDir, "packageDir");
        Objects.requireNonNull(options, "options");
        ModelPackage pkg = ModelPackage.open(packageDir, options.trustedKeys());
        SessionFactory.Opened opened = SessionFactory.open(pkg.modelFile(), pkg.manifest().model().imgSize(), options);
        return new AnomalyDetector(pkg, options, opened);
    }

    /** Detects anomalies in an image file (PNG, JPEG, BMP, TIFF; 8 or 16-bit; single-frame DICOM). */
    public Detection detect(Path file) {
        return detectOne(ImageInput.of(file));
    }

    /** Detects anomalies in the bytes of an encoded image file. */
    public Detection detect(byte[] encoded) {
        return detectOne(ImageInput.of(encoded));
    }

    /** Detects anomalies in a decoded AWT image (alpha is dropped, grey replicated). */
    public Detection detect(BufferedImage image) {
        return detectOne(ImageInput.of(image));
    }

    /** Detects anomalies in a raw pixel buffer. */
    public Detection detect(RawImage raw) {
        return detectOne(ImageInput.of(raw));
    }

    /**
     * Detects anomalies in an image in any input form, stopped when {@code cancellation} is requested
     * (see {@link Cancellation}: before the call it does not run, during decoding or preprocessing it
     * stops before the model, during the model's run ONNX Runtime aborts it).
     *
     * @throws InferenceCancelledException if the cancellation stopped it; the detector stays usable
     */
    public Detection detect(ImageInput input, Cancellation cancellation) {
        Objects.requireNonNull(cancellation, "cancellation");
        return run(List.of(input), 0, 1, cancellation).get(0);
    }

    private Detection detectOne(ImageInput input) {
        return run(List.of(input), 0, 1, null).get(0);
    }

    /**
     * Detects anomalies in several images, in ONNX Runtime calls of at most
     * {@link DetectorOptions#maxBatch()} images; results in input order. A bad input fails the whole
     * call with an {@link ImageDecodeException} naming its position, so no result is lost silently.
     */
    public List<Detection> detectAll(List<ImageInput> inputs) {
        return inBatches(inputs, null);
    }

    /**
     * As {@link #detectAll(List)}, stopped when {@code cancellation} is requested: the ONNX Runtime
     * call in progress is aborted and no later one starts; results of earlier calls are dropped too.
     *
     * @throws InferenceCancelledException if the cancellation stopped it; the detector stays usable
     */
    public List<Detection> detectAll(List<ImageInput> inputs, Cancellation cancellation) {
        return inBatches(inputs, Objects.requireNonNull(cancellation, "cancellation"));
    }

    private List<Detection> inBatches(List<ImageInput> inputs, Cancellation cancellation) {
        Objects.requireNonNull(inputs, "inputs");
        List<Detection> out = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += options.maxBatch()) {
            int to = Math.min(inputs.size(), from + options.maxBatch());
            out.addAll(run(inputs.subList(from, to), from, inputs.size(), cancellation));
        }
        return out;
    }

    /**
     * One ONNX Runtime call for {@code batch}, the inputs {@code first..} of {@code total};
     * {@code cancellation} null when the call cannot be cancelled.
     */
    private List<Detection> run(List<ImageInput> batch, int first, int total, Cancellation cancellation) {
        ReentrantReadWriteLock.ReadLock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the anomaly detector is closed");
            }
            Workspace ws = pool.borrow();
            try {
                return run(batch, first, total, ws, cancellation);
            } finally {
                pool.giveBack(ws);
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Detection> run(List<ImageInput> batch, int first, int total, Workspace ws, Cancellation cancellation) {
        int n = batch.size();
        FloatBuffer in = ws.batch(n);
        RgbImage[] images = new RgbImage[n];
        double[] decodeMs = new double[n];
        double[] preMs = new double[n];
        for (int i = 0; i < n; i++) {
            // checked before each image: decoding a large TIFF can take longer than the model
            if (cancellation != null) {
                cancellation.throwIfCancelled(i == 0 && first == 0 ? "before it started"
                        : "before decoding input " + (first + i + 1) + " of " + total);
            }
            long t0 = System.nanoTime();
            images[i] = decode(Objects.requireNonNull(batch.get(i), "input"), first + i, total);
            long t1 = System.nanoTime();
            ws.preprocessor().image(images[i], ws.image(), 0);
            ws.put(in, i);
            decodeMs[i] = ms(t1 - t0);
            preMs[i] = ms(System.nanoTime() - t1);
        }
        long t2 = System.nanoTime();
        RawOutputs raw = runner.score(in, n, cancellation); // checks it again before the run
        double inferMs = ms(System.nanoTime() - t2) / n;
        List<Detection> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t3 = System.nanoTime();
            RgbImage img = images[i];
            float[] modelMap = calibration.map(raw, i);
            float score = calibration.score(raw, i, modelMap);
            // Regions on the map at the input's resolution, or, for inputs over regionMaxPixels, on a
            // proportionally smaller grid scaled back: postprocessing memory stays bounded.
            MapGrid grid = MapGrid.fit(img.width(), img.height(), options.regionMaxPixels());
            float[] gridMap = grid.resample(modelMap, size);
            double regionThreshold = options.regionThreshold() != null ? options.regionThreshold()
                    : calibration.threshold();
            List<Region> regions = grid.toInput(ws.regions().find(gridMap, grid.width(), grid.height(),
                    regionThreshold, options.regionEightConnected(), grid.gridArea(options.regionMinArea())));
            float[] map = grid.full() ? gridMap : null;
            double postMs = ms(System.nanoTime() - t3);
            out.add(new Detection(score, calibration.threshold(), raw.zeroScore()[i],
                    raw.fewScore() == null ? null : raw.fewScore()[i], size, raw.map(raw.zeroMap(), i),
                    raw.fewMap() == null ? null : raw.map(raw.fewMap(), i), modelMap, img.width(), img.height(), map,
                    regions, new Timings(decodeMs[i], preMs[i], inferMs, postMs, n), img));
        }
        return out;
    }

    private RgbImage decode(ImageInput input, int index, int total) {
        try {
            return decoder.decode(input);
        } catch (ImageDecodeException e) {
            if (total == 1) {
                throw e;
            }
            throw new ImageDecodeException(e.reason(), "input " + (index + 1) + " of " + total + ": " + e.getMessage(), e);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * Adds normal images to a few-shot package's memory bank and writes the result as a new package
     * (see {@link Enrollment}); the package this detector runs is not changed.
     */
    public ModelPackage enroll(List<ImageInput> normals, Path out) {
        return Enrollment.of(this).addNormals(normals).write(out);
    }

    /**
     * As {@link #enroll(List, Path)}, then recalibrates the new package on images the caller labels
     * (statistics and a best-F1 threshold).
     */
    public ModelPackage enroll(List<ImageInput> normals, List<Enrollment.LabeledImage> calibration, Path out) {
        return Enrollment.of(this).addNormals(normals).recalibrateOn(calibration, null).write(out);
    }

    /** The provider the session runs on. */
    public ExecutionProvider executionProvider() {
        return provider;
    }

    /** Providers tried before the one in use, with the reason each failed (empty when the first worked). */
    public List<ProviderFailure> providerFailures() {
        return failures;
    }

    /** The package's manifest. */
    public Manifest manifest() {
        return pkg.manifest();
    }

    /** The opened, verified package. */
    public ModelPackage modelPackage() {
        return pkg;
    }

    /** The options the detector was opened with. */
    public DetectorOptions options() {
        return options;
    }

    /** Side S of the model's input. */
    public int imageSize() {
        return size;
    }

    /**
     * Runs {@code body} with the session held open (for enrollment, which needs the graph's token
     * outputs and the same decoding rules).
     */
    <T> T withGraph(GraphUse<T> body) {
        ReentrantReadWriteLock.ReadLock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the anomaly detector is closed");
            }
            Workspace ws = pool.borrow();
            try {
                return body.apply(runner, decoder, ws);
            } finally {
                pool.giveBack(ws);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Work done with the detector's graph, decoder and a workspace. */
    interface GraphUse<T> {
        T apply(GraphRunner runner, InputDecoder decoder, Workspace ws);
    }

    /** Frees the native session; waits for calls in progress. Later calls fail with IllegalStateException. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                pool.clear();
                scorer.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
