package org.mvfaedge.trainer.ablation;

/**
 * One row of the ablation: a level set trained and tested with the paper's protocol.
 *
 * @param imageAuc image-level AUC of the test protocol (NaN when no checkpoint was written)
 * @param pixelAuc pixel-level AUC, null for objects without masks
 * @param bestEpoch the epoch (1-based) whose checkpoint was tested, null if none
 */
public record AblationRow(LevelSet levels, String branches, double imageAuc, Double pixelAuc, Integer bestEpoch,
        double trainSeconds, double testSeconds) {
}
