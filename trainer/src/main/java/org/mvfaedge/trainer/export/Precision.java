package org.mvfaedge.trainer.export;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Numeric precision of an exported graph's weights and activations. The graph's interface (float32
 * {@code image} in, float32 maps, scores and tokens out) is the same for both, so the SDK runs either.
 */
public enum Precision {
    /** Everything in float32: the reference-exact graph. */
    FP32("fp32"),
    /**
     * The vision tower in float16 for GPUs, with LayerNormalization, Softmax and the anomaly heads in
     * float32 (see {@link HalfPrecisionGraph}).
     */
    FP16("fp16");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    /** The name used on the command line and in the package manifest ({@code model.precision}). */
    public String id() {
        return id;
    }

    /** Parses {@code fp32} or {@code fp16} (any case). */
    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.id.equals(text == null ? null : text.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("--precision must be one of "
                + Arrays.stream(values()).map(Precision::id).collect(Collectors.joining(", ")) + ", got '" + text + "'");
    }
}
