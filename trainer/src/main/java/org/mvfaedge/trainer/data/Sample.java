package org.mvfaedge.trainer.data;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One image of a data set: its file, its label (1 = anomalous) and, for objects with pixel masks,
 * the mask file of an anomalous image (normal images have an all-zero mask, as in the reference).
 */
public record Sample(Path image, int label, Path mask) {
    public Sample {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        }
    }

    public String fileName() {
        return image.getFileName().toString();
    }

    public Optional<Path> maskFile() {
        return Optional.ofNullable(mask);
    }
}
