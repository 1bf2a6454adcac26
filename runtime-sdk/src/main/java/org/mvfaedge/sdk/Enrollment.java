package org.mvfaedge.sdk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mvfaedge.sdk.pkg.ModelPackage;

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
        throw new UnsupportedOperationException("not yet implemented");
    }
}
