package org.mvfaedge.trainer.train;

/**
 * The losses of one training step, as the reference computes them: {@code det} summed over levels;
 * for objects with masks also {@code focal} and {@code dice} summed over levels, {@code seg = focal +
 * dice} (accumulated level by level in the reference's order) and {@code total = seg + det};
 * without masks {@code focal}, {@code dice} and {@code seg} are NaN and {@code total = det}.
 */
public record StepLosses(double det, double focal, double dice, double seg, double total) {
    public boolean hasSeg() {
        return !Double.isNaN(seg);
    }
}
