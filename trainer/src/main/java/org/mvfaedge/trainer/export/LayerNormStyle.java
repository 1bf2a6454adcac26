package org.mvfaedge.trainer.export;

import java.util.Locale;

/** How an exported graph expresses layer normalisation. */
public enum LayerNormStyle {
    /** ONNX's LayerNormalization operator (opset 17): one node, what TensorRT 8.6+ and ONNX Runtime fuse. */
    FUSED("fused"),
    /**
     * ReduceMean, Sub, Mul, Add, Sqrt, Div: for TensorRT before 8.6 (JetPack 5), whose ONNX parser has
     * no LayerNormalization (see {@link LayerNormDecomposition}).
     */
    DECOMPOSED("decomposed");

    private final String id;

    LayerNormStyle(String id) {
        this.id = id;
    }

    /** The name used on the command line ({@code --layernorm}) and in the model's metadata. */
    public String id() {
        return id;
    }

    /** Parses {@code fused} or {@code decomposed} (any case). */
    public static LayerNormStyle parse(String text) {
        for (LayerNormStyle s : values()) {
            if (s.id.equals(text == null ? null : text.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("--layernorm must be fused (LayerNormalization, TensorRT 8.6+) or decomposed "
                + "(basic operators, for TensorRT < 8.6 / JetPack 5), got '" + text + "'");
    }
}
