package org.mvfaedge.trainer.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.DetLoss;
import org.mvfaedge.trainer.train.EpochRecord;
import org.mvfaedge.trainer.train.FewShotTrainer;
import org.mvfaedge.trainer.train.FreshAdapters;
import org.mvfaedge.trainer.train.PrefixCache;
import org.mvfaedge.trainer.train.ProtocolEvaluation;
import org.mvfaedge.trainer.train.RunFiles;

/**
 * Few-shot adapter training for the demo through the trainer's own loop ({@link FewShotTrainer}, what
 * {@code ./mvfa train-few} runs: train_few.py's augmented shots, reference training step, memory bank
 * and evaluation after each epoch, best checkpoint, JSON-lines log and PNG chart).
 *
 * <p>The best epoch is chosen on the valid split ({@code train-few --select-on valid}), not on the
 * test split as the reference does, so the test AUCs the demo reports were not used to pick the model.
 */
final class DemoTraining {
    /** Learning rate of MVFA's few-shot training (train_few.py's default). */
    static final double LEARNING_RATE = 1e-3;
    static final int EVAL_BATCH = 8;

    /**
     * The run: every epoch's record (mean loss, valid-split AUCs), the best one, and the files written.
     *
     * @param checkpoint the best adapters ({@code <save>/few-shot/<Object>.safetensors})
     * @param chart the trainer's loss/AUC chart (PNG)
     */
    record Result(List<EpochRecord> epochs, EpochRecord best, Path checkpoint, Path chart, Path log) {
    }

    private DemoTraining() {
    }

    static Result train(MvfaModel model, ObjectInfo object, FewShotSplit split, List<Sample> selectOn, int epochs,
            long seed, Path savePath, PrintStream progress) {
        PrefixCache cache = new PrefixCache(PrefixCache.DEFAULT_CAP_BYTES);
        RunFiles files = new RunFiles(savePath.resolve("few-shot"), object.name());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mode", "few-shot");
        info.put("object", object.name());
        info.put("img_size", model.settings().imageSize());
        info.put("features", Arrays.stream(model.settings().features()).boxed().toList());
        info.put("epochs", epochs);
        info.put("lr", LEARNING_RATE);
        info.put("seed", seed);
        info.put("shot", split.shot());
        info.put("select_on", "valid");
        info.put("source", "mvfa demo (random tiny CLIP, generated data)");
        try (AdapterTraining training = new AdapterTraining(model, LEARNING_RATE, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            // Fresh adapters from the seed, as train-few does: the block initialisers would draw from
            // the engine's unseeded generator and make every demo run differ.
            training.loadAdapters(FreshAdapters.forModel(model, seed));
            ProtocolEvaluation evaluator = new ProtocolEvaluation(Evaluator.Protocol.FEW_SHOT, object, selectOn,
                    cache, EVAL_BATCH);
            FewShotTrainer.Result r = FewShotTrainer.train(training, object, split, evaluator,
                    new FewShotTrainer.Options(epochs, seed, false, cache, files, info, progress, false));
            if (r.best() == null) {
                throw new IllegalStateException("few-shot training of " + object.name()
                        + " kept no checkpoint (no epoch scored above 0 on the valid split)");
            }
            return new Result(r.history(), r.best(), files.best(), files.chart(), files.log());
        }
    }
}
