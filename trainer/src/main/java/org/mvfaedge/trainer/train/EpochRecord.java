package org.mvfaedge.trainer.train;

/**
 * One evaluation during training: the epoch (0-based), the step within the epoch at which it ran
 * (the epoch's step count for the end-of-epoch evaluation of few-shot training), the mean training
 * loss so far in the epoch, the metrics and the seconds the epoch had taken.
 */
public record EpochRecord(int epoch, int step, double meanLoss, EpochMetrics metrics, double seconds,
        boolean best) {
}
