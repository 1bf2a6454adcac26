package org.mvfaedge.trainer.train.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.cli.FewShotOptions;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.EpochRecord;
import org.mvfaedge.trainer.train.FewShotTrainer;
import org.mvfaedge.trainer.train.PrefixCache;
import org.mvfaedge.trainer.train.Progress;
import org.mvfaedge.trainer.train.ProtocolEvaluation;
import org.mvfaedge.trainer.train.RunFiles;
import org.mvfaedge.trainer.train.TrainingEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train-few}: train_few.py. k abnormal and k normal shots from {@code valid/}, each augmented
 * to 11 views, train the adapters; after every epoch the memory bank of the augmented normal shots is
 * rebuilt and the few-shot protocol evaluated; the best checkpoint goes to
 * {@code <save-path>/few-shot/<Object>.safetensors} with a JSON sidecar.
 */
@Command(name = "train-few", mixinStandardHelpOptions = true,
        description = "Train the adapters on k-shot data (MVFA's train_few.py) and keep the best checkpoint.")
public final class TrainFewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainCommonOptions common;

    @Mixin
    FewShotOptions fewShot;

    @Option(names = {"--epochs", "--epoch"}, defaultValue = PaperDefaults.FEW_SHOT_EPOCHS_OPTION,
            description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"--lr", "--learning_rate"}, defaultValue = PaperDefaults.FEW_SHOT_LR_OPTION,
            description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--select-on", defaultValue = "test", paramLabel = "SPLIT",
            description = "Split the best checkpoint is chosen on: test (the reference) or valid (never looks at"
                    + " test data; the shots are left out) (default ${DEFAULT-VALUE}).")
    String selectOn;

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        if (!(lr > 0)) {
            throw new ParameterException(spec.commandLine(), "--lr must be positive, got " + lr);
        }
        BmadDataset.Split selectSplit = switch (selectOn.toLowerCase(java.util.Locale.ROOT)) {
            case "test" -> BmadDataset.Split.TEST;
            case "valid" -> BmadDataset.Split.VALID;
            default -> throw new ParameterException(spec.commandLine(), "--select-on must be test or valid, got "
                    + selectOn);
        };
        try (MvfaModel model = MvfaModel.load(common.settings());
                AdapterTraining training = common.training(model, lr)) {
            ObjectInfo object = model.promptConfig().object(common.data.obj);
            BmadDataset data = BmadDataset.open(common.data.dataPath, object.name(), object.hasMasks());
            FewShotSplit split = fewShot.split(data, common.data.seed);
            PrefixCache cache = common.cache();
            // Selecting on valid leaves the shots out: the model has seen them (bank, training).
            List<Sample> selectOnSamples = selectSplit == BmadDataset.Split.VALID
                    ? split.without(data.samples(selectSplit)) : data.samples(selectSplit);
            if (selectOnSamples.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--select-on valid: the valid split has no images "
                        + "besides the few-shot ones");
            }
            TrainingEvaluator evaluator = new ProtocolEvaluation(Evaluator.Protocol.FEW_SHOT, object,
                    selectOnSamples, cache, common.evalBatch);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("shot", fewShot.shot);
            extra.put("iterate", fewShot.iterate);
            extra.put("select_on", selectSplit.name().toLowerCase(java.util.Locale.ROOT));
            extra.put("normal_shots", split.normal().stream().map(s -> s.fileName()).toList());
            extra.put("abnormal_shots", split.abnormal().stream().map(s -> s.fileName()).toList());
            RunFiles files = new RunFiles(common.savePath.resolve("few-shot"), object.name());
            long t0 = System.nanoTime();
            FewShotTrainer.Result result = FewShotTrainer.train(training, object, split, evaluator,
                    new FewShotTrainer.Options(epochs, common.data.seed, common.resume, cache, files,
                            common.runInfo("few-shot", lr, epochs, extra), System.err, Progress.stderrIsTerminal()));
            report(result, files, cache, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private void report(FewShotTrainer.Result result, RunFiles files, PrefixCache cache, double seconds) {
        EpochRecord best = result.best();
        if (common.json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("object", common.data.obj);
            n.put("mode", "few-shot");
            n.put("epochs_run", result.epochsRun());
            n.put("seconds", seconds);
            n.put("checkpoint", files.best().toString());
            if (best != null) {
                n.put("best_epoch", best.epoch());
                putNum(n, "image_auc", best.metrics().imageAuc());
                putNum(n, "pixel_auc", best.metrics().pixelAuc());
                putNum(n, "criterion", best.metrics().criterion());
            }
            n.put("prefix_cache_hits", cache.hits());
            n.put("prefix_cache_misses", cache.misses());
            spec.commandLine().getOut().println(n.toString());
        } else if (best != null) {
            spec.commandLine().getOut().printf("best epoch %d: image AUC %.4f, pixel AUC %.4f -> %s (%.1f s)%n",
                    best.epoch() + 1, best.metrics().imageAuc(), best.metrics().pixelAuc(), files.best(), seconds);
        } else {
            spec.commandLine().getOut().printf("no epoch improved on criterion 0; no checkpoint written (%.1f s)%n",
                    seconds);
        }
    }

    static void putNum(ObjectNode n, String k, double v) {
        if (Double.isFinite(v)) {
            n.put(k, v);
        } else {
            n.putNull(k);
        }
    }
}
