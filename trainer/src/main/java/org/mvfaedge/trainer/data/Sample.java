package org.mvfaedge.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;

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

    /** The images decoded and preprocessed as the model sees them (PIL bicubic to S x S, /255, CHW). */
    public static List<float[]> preprocessed(List<Sample> samples, int size) {
        ImageDecoder decoder = new ImageDecoder();
        Preprocessor pre = new Preprocessor(size);
        List<float[]> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            out.add(pre.image(decoder.decode(s.image())));
        }
        return out;
    }
}
