package org.mvfaedge.trainer.train.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.EpochRecord;
import org.mvfaedge.trainer.train.FewShotTrainer;
import org.mvfaedge.trainer.train.PrefixCache;
import org.mvfaedge.trainer.train.Progress;
import org.mvfaedge.trainer.train.ProtocolEvaluation;
import org.mvfaedge.trainer.train.RunFiles;
import org.mvfaedge.trainer.train.ZeroShotTrainer;
import org.mvfaedge.trainer.train.ZeroShotTrainingSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train-zero}: train_zero.py, leave one object out. The adapters train on the other objects'
 * test splits (by default exactly the images medical_zero.py lists: {@link ZeroShotTrainingSet}) and
 * are evaluated on the held-out object's test split five times per epoch; the best checkpoint goes
 * to {@code <save-path>/zero-shot/<Object>.safetensors}. Training on the valid splits too is opt-in
 * ({@code --train-splits valid,test}) and named as a departure in the run's sidecars, the
 * checkpoints' metadata and on stderr.
 */
@Command(name = "train-zero", mixinStandardHelpOptions = true,
        description = "Train the adapters on the other objects' data (MVFA's train_zero.py), evaluating on --obj.")
public final class TrainZeroCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainCommonOptions common;

    @Option(names = {"--epochs", "--epoch"}, defaultValue = PaperDefaults.ZERO_SHOT_EPOCHS_OPTION,
            description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"--lr", "--learning_rate"}, defaultValue = PaperDefaults.ZERO_SHOT_LR_OPTION,
            description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--train-splits", split = ",", defaultValue = "test", paramLabel = "SPLIT",
            description = "Splits of the other objects to train on (default ${DEFAULT-VALUE}: the reference's"
                    + " train_zero.py, whose medical_zero.py reads <Other>_AD/test only); valid,test adds their valid"
                    + " splits, a departure from the reference recorded in the run's metadata.")
    List<String> trainSplits;

    @Option(names = "--evaluations-per-epoch", defaultValue = "5",
            description = "Evaluations of the held-out object per epoch (default ${DEFAULT-VALUE}, the reference's).")
    int evaluationsPerEpoch;

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        if (!(lr > 0)) {
            throw new ParameterException(spec.commandLine(), "--lr must be positive, got " + lr);
        }
        splits(); // a bad --train-splits fails before the model loads
        try (MvfaModel model = MvfaModel.load(common.settings());
                AdapterTraining training = common.training(model, lr)) {
            ObjectInfo heldOut = model.promptConfig().object(common.data.obj);
            BmadDataset target = BmadDataset.open(common.data.dataPath, heldOut.name(), heldOut.hasMasks());
            ZeroShotTrainingSet set = trainingSet(model.promptConfig());
            List<ZeroShotTrainer.Item> items = set.items();
            if (items.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "no other object's data set under " + common.data.dataPath
                        + ": zero-shot training of " + heldOut.name() + " needs <Other>_AD folders");
            }
            announce(heldOut, set);
            PrefixCache cache = common.cache();
            ProtocolEvaluation evaluator = new ProtocolEvaluation(Evaluator.Protocol.ZERO_SHOT, heldOut,
                    target.samples(BmadDataset.Split.TEST), cache, common.evalBatch);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("train_objects", set.objects());
            if (!set.missing().isEmpty()) {
                extra.put("train_objects_missing", set.missing());
            }
            extra.put("train_splits", set.splitNames());
            extra.put("train_images", items.size());
            if (!set.isReferenceSplits()) {
                extra.put("departures", List.of(SPLITS_DEPARTURE));
            }
            // Also in the checkpoints' own metadata, and checked on --resume.
            Map<String, String> checkpointMeta = new LinkedHashMap<>();
            checkpointMeta.put("train_splits", String.join(",", set.splitNames()));
            checkpointMeta.put("train_objects", String.join(",", set.objects()));
            RunFiles files = new RunFiles(common.savePath.resolve("zero-shot"), heldOut.name());
            long t0 = System.nanoTime();
            FewShotTrainer.Result result = ZeroShotTrainer.train(training, heldOut, items, evaluator,
                    new ZeroShotTrainer.Options(epochs, common.data.seed, common.resume, cache, files,
                            common.runInfo("zero-shot", lr, epochs, extra), checkpointMeta, System.err,
                            Progress.stderrIsTerminal(), evaluationsPerEpoch));
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochRecord best = result.best();
            if (common.json) {
                ObjectNode n = new ObjectMapper().createObjectNode();
                n.put("object", heldOut.name());
                n.put("mode", "zero-shot");
                n.put("epochs_run", result.epochsRun());
                n.put("seconds", seconds);
                n.put("checkpoint", files.best().toString());
                if (best != null) {
                    n.put("best_epoch", best.epoch());
                    n.put("best_step", best.step());
                    TrainFewCommand.putNum(n, "image_auc", best.metrics().imageAuc());
                    TrainFewCommand.putNum(n, "pixel_auc", best.metrics().pixelAuc());
                    TrainFewCommand.putNum(n, "criterion", best.metrics().criterion());
                }
                spec.commandLine().getOut().println(n.toString());
            } else if (best != null) {
                spec.commandLine().getOut().printf("best: epoch %d step %d: image AUC %.4f, pixel AUC %.4f -> %s (%.1f s)%n",
                        best.epoch() + 1, best.step(), best.metrics().imageAuc(), best.metrics().pixelAuc(), files.best(),
                        seconds);
            }
        }
        return 0;
    }

    /** What {@code --train-splits valid,test} changes, as the run's metadata names it. */
    static final String SPLITS_DEPARTURE = "train_splits valid,test: the reference's train_zero.py"
            + " (dataset/medical_zero.py) trains on the other objects' test splits only";

    /** The splits of {@code --train-splits}, in the order given. */
    List<BmadDataset.Split> splits() {
        List<BmadDataset.Split> splits = new ArrayList<>();
        for (String s : trainSplits) {
            BmadDataset.Split split = switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "valid" -> BmadDataset.Split.VALID;
                case "test" -> BmadDataset.Split.TEST;
                default -> throw new ParameterException(spec.commandLine(), "--train-splits: valid or test, got " + s);
            };
            if (splits.contains(split)) {
                throw new ParameterException(spec.commandLine(), "--train-splits names " + s.trim() + " twice");
            }
            splits.add(split);
        }
        return splits;
    }

    /** The training images this command's options select (the held-out object's own data excluded). */
    ZeroShotTrainingSet trainingSet(PromptConfig config) {
        return ZeroShotTrainingSet.build(common.data.dataPath, config.object(common.data.obj), config.objects(), splits());
    }

    /** Says on stderr what the run trains on, and where that is not the reference's data. */
    private void announce(ObjectInfo heldOut, ZeroShotTrainingSet set) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("train-zero " + heldOut.name() + ": training on the " + String.join("+", set.splitNames())
                + (set.splitNames().size() == 1 ? " split" : " splits") + " of " + set.objects() + " ("
                + set.items().size() + " images)" + (set.isReferenceSplits() ? ", as train_zero.py" : ""));
        if (!set.isReferenceSplits()) {
            err.println("train-zero: departs from the reference: " + SPLITS_DEPARTURE);
        }
        if (!set.missing().isEmpty()) {
            err.println("train-zero: no data set for " + String.join(", ", set.missing()) + " under "
                    + common.data.dataPath + ": left out (train_zero.py needs every other object and would stop)");
        }
    }
}
