package org.mvfaedge.trainer.export;

/** The MLP activation of CLIP's residual blocks. */
public enum Activation {
    /**
     * Exact GELU, {@code x * 0.5 * (1 + erf(x / sqrt 2))}. MVFA's effective backbone: its
     * {@code create_model} rebuilds CLIP from the config without {@code quick_gelu} whenever the image
     * size differs from the native one, so the published adapters were trained with it.
     */
    GELU,
    /** OpenAI's {@code x * sigmoid(1.702 x)}, what CLIP was trained with. */
    QUICK_GELU
}
