package org.mvfaedge.trainer.train;

/**
 * What an evaluation during training reports: image AUC, pixel AUC (NaN for image-level objects)
 * and the reference's checkpoint criterion (pixel AUC + image AUC for objects with masks, image AUC
 * otherwise).
 */
public record EpochMetrics(double imageAuc, double pixelAuc, double criterion) {
    /** An AUC for people to read: four decimals, or "n/a" for the pixel AUC of an object without masks. */
    public static String format(double auc) {
        return Double.isNaN(auc) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", auc);
    }

    public static EpochMetrics of(double imageAuc, double pixelAuc) {
        return new EpochMetrics(imageAuc, pixelAuc, Double.isNaN(pixelAuc) ? imageAuc : pixelAuc + imageAuc);
    }
}
