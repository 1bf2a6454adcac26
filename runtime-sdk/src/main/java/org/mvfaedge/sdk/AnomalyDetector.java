package org.mvfaedge.sdk;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;

/**
 * The embeddable anomaly detector: a verified model package running on ONNX Runtime. Each call
 * decodes the image, prepares it exactly as in training, runs the package's graph, calibrates the
 * raw outputs with the package's statistics and returns a {@link Detection} at the input's own
 * resolution. Thread-safe: one detector serves any number of threads. Close it to free the native
 * session.
 *
 * <pre>{@code
 * try (AnomalyDetector d = AnomalyDetector.open(Path.of("onnx/brain-few"), DetectorOptions.defaults())) {
 *     Detection r = d.detect(Path.of("scan.png"));
 *     if (r.anomalous()) { ... r.regions() ... }
 * }
 * }</pre>
 */
public final class AnomalyDetector implements AutoCloseable {

    private AnomalyDetector() {
    }

    /**
     * Opens a package and starts a session on the first execution provider of
     * {@link DetectorOptions#providers()} that registers and loads the model (each failure is logged
     * once, with its reason).
     *
     * @throws ModelPackageException if the package is missing, changed or of an unknown format
     * @throws InferenceException if no provider can load the model
     */
    public static AnomalyDetector open(Path packageDir, DetectorOptions options) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Detects anomalies in an image file (PNG, JPEG, BMP, TIFF; 8 or 16-bit). */
    public Detection detect(Path file) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Detects anomalies in the bytes of an encoded image file. */
    public Detection detect(byte[] encoded) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Detects anomalies in a decoded AWT image (alpha is dropped, grey replicated). */
    public Detection detect(BufferedImage image) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Detects anomalies in a raw pixel buffer. */
    public Detection detect(RawImage raw) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Detects anomalies in several images, in ONNX Runtime calls of at most
     * {@link DetectorOptions#maxBatch()} images; results in input order. All inputs are decoded
     * before inference: a bad one fails the whole call with an {@link ImageDecodeException} naming
     * its position, so no result is lost silently.
     */
    public List<Detection> detectAll(List<ImageInput> inputs) {
        throw new UnsupportedOperationException("not yet implemented");
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
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Providers tried before the one in use, with the reason each failed (empty when the first worked). */
    public List<ProviderFailure> providerFailures() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The package's manifest. */
    public Manifest manifest() {
        return modelPackage().manifest();
    }

    /** The opened, verified package. */
    public ModelPackage modelPackage() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The options the detector was opened with. */
    public DetectorOptions options() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Frees the native session; waits for calls in progress. Later calls fail with IllegalStateException. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** An execution provider that could not be used, and why. */
    public record ProviderFailure(ExecutionProvider provider, String reason) {
    }
}
