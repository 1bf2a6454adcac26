package org.mvfaedge.sdk.onnx;

/**
 * Names of the inputs, outputs and replaceable initializers of an exported MVFA graph: the contract
 * between the trainer's exporter and the SDK (which runs the graph, and rewrites the memory bank
 * during enrollment). Levels are numbered from 0 in the order of the adapter checkpoint, as MVFA's
 * {@code features.index(layer)} numbers them.
 */
public final class MvfaGraphNames {
    private MvfaGraphNames() {
    }

    /** Input: float32 [N,3,S,S], pixels in 0..1 (no mean/std normalisation). */
    public static final String IMAGE = "image";
    /** Output: float32 [N,S,S], zero-shot abnormal probability from seg tokens, summed over levels. */
    public static final String ZERO_MAP = "zero_map";
    /** Output: float32 [N], mean zero-shot abnormal probability of det tokens, summed over levels. */
    public static final String ZERO_SCORE = "zero_score";
    /** Output (few-shot graphs): float32 [N,S,S], 1 - max cosine similarity to the seg bank, summed over levels. */
    public static final String FEW_MAP = "few_map";
    /** Output (few-shot graphs): float32 [N], mean of the det-bank map built like {@link #FEW_MAP}. */
    public static final String FEW_SCORE = "few_score";
    /** Symbolic batch dimension of inputs and outputs. */
    public static final String BATCH = "N";

    /** Optional output: float32 [N,1+G*G,C], a level's seg tokens (fc1 + LeakyReLU, CLS first, not normalised). */
    public static String segTokens(int level) {
        return "seg_tokens_" + level;
    }

    /** Optional output: float32 [N,1+G*G,C], a level's det tokens, as {@link #segTokens}. */
    public static String detTokens(int level) {
        return "det_tokens_" + level;
    }

    /**
     * Initializer: float32 [M,C] seg memory bank of a level, rows L2-normalised. Any row count M
     * works: the graph does not depend on it, so enrollment may replace it with a larger bank.
     */
    public static String segMemory(int level) {
        return "memory_seg_" + level;
    }

    /** Initializer: float32 [M,C] det memory bank of a level, as {@link #segMemory}. */
    public static String detMemory(int level) {
        return "memory_det_" + level;
    }
}
