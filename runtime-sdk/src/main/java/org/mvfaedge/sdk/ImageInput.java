package org.mvfaedge.sdk;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One image for {@link AnomalyDetector#detectAll} or enrollment, in any of the forms
 * {@link AnomalyDetector#detect} accepts: a file, encoded bytes (PNG, JPEG, BMP, TIFF, or a single-frame
 * DICOM, rendered with the package's DICOM window), a {@link BufferedImage}, a {@link RawImage}, or one
 * frame of a DICOM image with a chosen window ({@link Dicom}; see also
 * {@link org.mvfaedge.sdk.dicom.DicomDetector}, which scores every frame and keeps their identity).
 */
public sealed interface ImageInput {
    /** An image file. */
    record File(Path path) implements ImageInput {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    /** The bytes of an encoded image file. */
    record Encoded(byte[] data) implements ImageInput {
        public Encoded {
            Objects.requireNonNull(data, "data");
        }
    }

    /** A decoded AWT image. */
    record Buffered(BufferedImage image) implements ImageInput {
        public Buffered {
            Objects.requireNonNull(image, "image");
        }
    }

    /** A raw pixel buffer. */
    record Raw(RawImage raw) implements ImageInput {
        public Raw {
            Objects.requireNonNull(raw, "raw");
        }
    }

    /** One frame (from 1) of a DICOM image, rendered with {@code window} (null: the package's). */
    record Dicom(org.mvfaedge.sdk.image.dicom.DicomImage image, int frame,
            org.mvfaedge.sdk.image.dicom.DicomWindow window) implements ImageInput {
        public Dicom {
            Objects.requireNonNull(image, "image");
            if (frame < 1 || frame > image.frameCount()) {
                throw new IllegalArgumentException("frame " + frame + " is outside 1.." + image.frameCount());
            }
        }
    }

    static ImageInput of(Path path) {
        return new File(path);
    }

    static ImageInput of(byte[] encoded) {
        return new Encoded(encoded);
    }

    static ImageInput of(BufferedImage image) {
        return new Buffered(image);
    }

    static ImageInput of(RawImage raw) {
        return new Raw(raw);
    }
}
