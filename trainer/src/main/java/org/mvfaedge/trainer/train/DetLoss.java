package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;

/** The image-level (det) loss applied per adapter level to the mean abnormal probability. */
public enum DetLoss {
    /**
     * The reference's: {@code BCEWithLogitsLoss} on the mean abnormal PROBABILITY, i.e. the
     * probability goes through a sigmoid once more (so the loss never reaches 0). The default, for
     * fidelity with the published checkpoints.
     */
    BCE_WITH_LOGITS_ON_PROBABILITY,
    /** Plain binary cross-entropy on the probability: the corrected alternative. */
    BCE;

    NDArray apply(NDArray probability, NDArray label) {
        return this == BCE ? Losses.bce(probability, label) : Losses.bceWithLogits(probability, label);
    }

    /** Parses a command-line name: {@code bce-with-logits} (reference) or {@code bce}. */
    public static DetLoss parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "bce-with-logits", "bcewithlogits", "reference", "bce-with-logits-on-probability" ->
                    BCE_WITH_LOGITS_ON_PROBABILITY;
            case "bce" -> BCE;
            default -> throw new IllegalArgumentException("unknown det loss '" + s
                    + "': use bce-with-logits (the reference's) or bce");
        };
    }

    public String cliName() {
        return this == BCE ? "bce" : "bce-with-logits";
    }
}
