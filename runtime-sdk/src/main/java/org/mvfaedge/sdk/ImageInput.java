package org.mvfaedge.sdk;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One image for {@link AnomalyDetector#detectAll} or enrollment, in any of the forms
 * {@link AnomalyDetector#detect} accepts: a file, encoded bytes (PNG, JPEG, BMP, TIFF), a
 * {@link BufferedImage} or a {@link RawImage}.
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
