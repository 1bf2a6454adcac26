package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * The non-linearity inside every CLIP MLP (both towers).
 *
 * <p>Reference quirk: OpenAI's CLIP uses QuickGELU, but MVFA's {@code create_model} rebuilds CLIP
 * from its config without {@code quick_gelu} whenever {@code img_size} differs from the native
 * size (always, in the paper's runs: 240 vs 336), so the published adapters were trained on an
 * exact-GELU backbone. {@link #GELU} is therefore the default.
 */
public enum Activation {
    /** Exact GELU: {@code 0.5 x (1 + erf(x / sqrt 2))}. MVFA's effective choice and the default. */
    GELU("gelu"),
    /** OpenAI's QuickGELU: {@code x * sigmoid(1.702 x)}. */
    QUICK_GELU("quick-gelu");

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    /** The name used on the command line and in manifests ({@code gelu}, {@code quick-gelu}). */
    public String id() {
        return id;
    }

    /** The default activation, {@link #GELU} (see the class comment for why). */
    public static Activation defaultChoice() {
        return GELU;
    }

    /** Parses {@code gelu} or {@code quick-gelu} (case-insensitive; {@code _} accepted for {@code -}). */
    public static Activation parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Activation a : values()) {
            if (a.id.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name
                + "': use 'gelu' (MVFA's effective choice) or 'quick-gelu' (OpenAI's)");
    }

    /** Applies the activation element-wise (differentiable). */
    public NDArray apply(NDArray x) {
        if (this == QUICK_GELU) {
            return x.mul(ai.djl.nn.Activation.sigmoid(Scalars.mul(x, 1.702f)));
        }
        return Scalars.mul(x.mul(Scalars.mul(x, INV_SQRT2).erf().add(1f)), 0.5f);
    }
}
