package org.mvfaedge.trainer.train;

import java.util.List;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * Evaluation during training by the paper's protocols ({@link Evaluator}: test_few.py with the
 * epoch's memory bank, or test_zero.py), on the model being trained, with the images' frozen
 * prefixes cached across evaluations ({@link CachedPrefixScorer}).
 */
public final class ProtocolEvaluation implements TrainingEvaluator {
    private final Evaluator.Protocol protocol;
    private final ObjectInfo object;
    private final List<Sample> samples;
    private final PrefixCache cache;
    private final int batch;
    private EvaluationResult last;

    /**
     * @param samples the images (a split of the object's data set)
     * @param cache where the images' prefixes are kept ({@link PrefixCache#disabled()} for none)
     * @param batch images per forward pass (results do not depend on it)
     */
    public ProtocolEvaluation(Evaluator.Protocol protocol, ObjectInfo object, List<Sample> samples, PrefixCache cache,
            int batch) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no images to evaluate on");
        }
        this.protocol = protocol;
        this.object = object;
        this.samples = List.copyOf(samples);
        this.cache = cache;
        this.batch = batch;
    }

    @Override
    public EpochMetrics evaluate(AdapterTraining training, MemoryBank bank) {
        if (protocol == Evaluator.Protocol.FEW_SHOT && bank == null) {
            throw new IllegalArgumentException("the few-shot protocol needs a memory bank");
        }
        Evaluator ev = new Evaluator(new CachedPrefixScorer(training, object,
                protocol == Evaluator.Protocol.FEW_SHOT ? bank : null, cache), batch);
        last = protocol == Evaluator.Protocol.FEW_SHOT ? ev.fewShot(object, samples, null)
                : ev.zeroShot(object, samples, null);
        return new EpochMetrics(last.imageAuc(), last.pixelAuc() == null ? Double.NaN : last.pixelAuc(),
                last.criterion());
    }

    /** The full result of the latest evaluation (labels and scores), or null before the first. */
    public EvaluationResult lastResult() {
        return last;
    }
}
