package org.mvfaedge.trainer.train;

import org.mvfaedge.trainer.heads.MemoryBank;

/**
 * Evaluates the adapters being trained (the few-shot protocol with the epoch's memory bank, or the
 * zero-shot protocol with {@code bank == null}). {@link ProtocolEvaluation} runs the reference's
 * test_few / test_zero protocols ({@code eval.Evaluator}) and reuses the training's prefix cache.
 */
@FunctionalInterface
public interface TrainingEvaluator {
    EpochMetrics evaluate(AdapterTraining training, MemoryBank bank);
}
